package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SyncDispatcherTest extends DispatcherContractTest {
    @Override
    MessageHandler newHandler() {
        return new SyncDispatcher();
    }

    @Test
    void listeners_runOnEmittingThread_beforeEmitReturns() {
        TestProcessor source = new TestProcessor("source", handler);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        source.on(WORD, w -> threads.add(Thread.currentThread()));

        source.emit(WORD, "x");

        assertThat(threads).containsExactly(Thread.currentThread());
    }
}
