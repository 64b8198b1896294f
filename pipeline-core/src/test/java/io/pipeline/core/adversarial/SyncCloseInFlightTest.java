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
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * A {@link SyncDispatcher} flow closing while a delivery emitted on a source's own thread is still in a listener: the
 * flow waits for the source's stop (the stop contract in {@link Source}), so the resources close after the delivery —
 * for a source that keeps the contract. One that does not gets its resources closed under it, as documented.
 */
class SyncCloseInFlightTest {

    /** Emits once from a thread of its own (an HTTP client's callback thread, say). */
    abstract static class CallbackSource extends Source {
        volatile Thread thread;

        CallbackSource(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            thread = new Thread(this::respond, "adv-callback");
            thread.start();
            return completion();
        }

        abstract void respond();

        final void emitResponse() {
            try {
                emit(ManualSource.DATA, "response");
            } catch (IllegalStateException closed) {
                // refused: fine
            }
        }
    }

    /** Keeps the contract the simple way: stop() joins the thread (unless a listener calls it on that thread). */
    static final class JoiningSource extends CallbackSource {
        JoiningSource(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        void respond() {
            if (!isStopped()) {
                emitResponse();
            }
        }

        @Override
        public void stop() {
            super.stop();
            Thread current = thread;
            if (current != null && current != Thread.currentThread()) {
                try {
                    current.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Keeps the contract with an asynchronous stop: its emitting work is bracketed, stop() returns at once. */
    static final class BracketingSource extends CallbackSource {
        BracketingSource(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        void respond() {
            if (!beginEmitting()) {
                return;
            }
            try {
                emitResponse();
            } finally {
                endEmitting();
            }
        }
    }

    /** Breaks the contract: stop() only raises a flag, and its future completes while the thread still delivers. */
    static final class FlagOnlySource extends CallbackSource {
        FlagOnlySource(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        void respond() {
            emitResponse();
        }
    }

    @Test
    void flowClose_whileADeliveryOnTheSourcesThreadIsInAListener_closesResourcesAfterIt_whenStopJoinsTheThread()
            throws Exception {
        assertThat(closeDuringDelivery(JoiningSource::new, false)).containsExactly("write", "closed");
    }

    @Test
    void flowClose_whileADeliveryOnTheSourcesThreadIsInAListener_closesResourcesAfterIt_whenTheWorkIsBracketed()
            throws Exception {
        assertThat(closeDuringDelivery(BracketingSource::new, false)).containsExactly("write", "closed");
    }

    @Test
    void flowClose_withASourceWhoseStopOnlyRaisesAFlag_closesTheResourcesUnderTheRunningDelivery() throws Exception {
        // What Source's and Flow.close()'s javadoc say: the flow cannot see an emit the source does not account for.
        assertThat(closeDuringDelivery(FlagOnlySource::new, true)).containsExactly("closed", "write after close");
    }

    /**
     * Runs a flow whose listener blocks in the source's one delivery, closes it meanwhile, and records the order.
     * {@code closeReturnsFirst}: the close is expected to finish while the delivery is still blocked (the contract
     * broken); otherwise the close must be waiting when the delivery is released.
     */
    private static List<String> closeDuringDelivery(BiFunction<String, MessageHandler, CallbackSource> kind,
                                                    boolean closeReturnsFirst) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean resourceClosed = new AtomicBoolean();
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<CallbackSource> source = new AtomicReference<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                .errorReporter(new RecordingErrorReporter())
                .manager(handler -> new Manager("cb", handler) {
                    {
                        CallbackSource s = kind.apply(processorName("source"), handler);
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
        if (closeReturnsFirst) {
            Threads.awaitEnd(closer);
            assertThat(events).as("closed while the delivery is still in its listener").containsExactly("closed");
        } else {
            Threads.awaitBlockedOrDone(closer);
            assertThat(closer.isAlive()).as("close waits for the delivery").isTrue();
        }
        release.countDown();
        Threads.awaitEnd(closer);
        Threads.awaitEnd(source.get().thread);
        return events;
    }
}
