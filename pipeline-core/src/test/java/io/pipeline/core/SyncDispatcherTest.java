package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void endlessCycleOfProcessors_overflowsTheStack_endsAsErrorEvent_andTheDispatcherKeepsWorking() {
        TestProcessor ping = new TestProcessor("ping", handler);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<Integer> heard = new CopyOnWriteArrayList<>();
        ping.on(Processor.ERROR, errors::add);
        ping.on(NUMBER, n -> {
            if (n < 0) {
                heard.add(n);
            } else {
                ping.emit(NUMBER, n + 1);
            }
        });

        ping.emit(NUMBER, 0);
        ping.emit(NUMBER, -1);

        assertThat(errors).isNotEmpty().allSatisfy(e -> assertThat(e).isInstanceOf(ListenerException.class)
                .hasCauseInstanceOf(StackOverflowError.class));
        assertThat(heard).containsExactly(-1);
        assertThat(uncaught).isEmpty();
        assertThat(Dispatcher.of(handler).fatalError()).isNull();
        assertThat(handler.isClosed()).isFalse();
    }

    @Test
    void listenerThrowingInterruptedException_restoresTheEmittingThreadsFlag() {
        TestProcessor source = new TestProcessor("source", handler);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        source.on(Processor.ERROR, errors::add);
        source.on(WORD, w -> {
            throw new InterruptedException("stop");
        });

        source.emit(WORD, "x");

        assertThat(Thread.interrupted()).isTrue(); // also clears it for the next test
        assertThat(errors).singleElement().extracting(Throwable::getCause).isInstanceOf(InterruptedException.class);
    }

    @Test
    void fatalError_propagatesToTheEmitter_throughNestedListeners() {
        TestProcessor outer = new TestProcessor("outer", handler);
        TestProcessor inner = new TestProcessor("inner", handler);
        OutOfMemoryError fatal = new OutOfMemoryError("simulated");
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        outer.on(Processor.ERROR, errors::add);
        outer.on(WORD, w -> inner.emit(WORD, w));
        inner.on(WORD, w -> {
            throw fatal;
        });

        assertThatThrownBy(() -> outer.emit(WORD, "x")).isSameAs(fatal);
        assertThat(errors).isEmpty();
        assertThatThrownBy(() -> outer.emit(WORD, "y")).isInstanceOf(IllegalStateException.class).hasCause(fatal);
    }
}
