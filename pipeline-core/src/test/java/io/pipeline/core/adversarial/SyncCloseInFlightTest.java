package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.Source;
import io.pipeline.core.SyncDispatcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A {@link SyncDispatcher} closing while a delivery from another thread is still in a listener. */
class SyncCloseInFlightTest {

    /** Emits from a thread of its own (an HTTP client's callback thread, say); stop() only raises a flag. */
    static final class CallbackSource extends Source {
        volatile Thread thread;

        CallbackSource(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            thread = new Thread(() -> {
                try {
                    emit(ManualSource.DATA, "response");
                } catch (IllegalStateException closed) {
                    // refused: fine
                }
            }, "adv-callback");
            thread.start();
            return completion();
        }
    }

    @org.junit.jupiter.api.Disabled("defect: SyncDispatcher.close() returns while a delivery emitted on another thread"
            + " is still in its listeners, so Flow.close() closes the closeOnStop resources under it")
    @Test
    void flowClose_whileASyncDeliveryFromAnotherThreadIsInAListener_closesResourcesAfterIt() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean resourceClosed = new AtomicBoolean();
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<CallbackSource> source = new AtomicReference<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                .errorReporter(new RecordingErrorReporter())
                .manager(handler -> new Manager("cb", handler) {
                    {
                        CallbackSource s = new CallbackSource(processorName("source"), handler);
                        closeOnStop(() -> {
                            resourceClosed.set(true);
                            events.add("closed");
                        });
                        s.on(ManualSource.DATA, data -> {
                            entered.countDown();
                            release.await(10, TimeUnit.SECONDS);
                            events.add(resourceClosed.get() ? "write after close" : "write");
                        });
                        source.set(s);
                        setSource(s);
                    }
                }).build();
        flow.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(flow::close, "adv-sync-closer");
        closer.setDaemon(true);
        closer.start();
        Threads.awaitBlockedOrDone(closer);
        release.countDown();
        Threads.awaitEnd(closer);
        Threads.awaitEnd(source.get().thread);
        assertThat(events).containsExactly("write", "closed");
    }
}
