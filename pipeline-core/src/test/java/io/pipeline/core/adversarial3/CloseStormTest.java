package io.pipeline.core.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Overflow;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;

/**
 * A flow closed by four threads at once (a shutdown hook among them) and by a listener on the loop thread, while a
 * source floods a small blocking queue: every close returns, none before the flow is closed, every accepted message
 * is written before the writer closes, none after, and no thread of the flow is left.
 */
class CloseStormTest {
    static final Event<Long> SEQ = Event.of("seq", Long.class);

    /** Emits 0, 1, 2 … on a thread of its own until stopped; each emit is emitting work (the stop contract). */
    static final class Flood extends Source {
        final AtomicLong accepted = new AtomicLong();
        private volatile Thread thread;

        Flood(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            thread = new Thread(() -> {
                for (long n = 0; ; n++) {
                    if (!beginEmitting()) {
                        return;
                    }
                    try {
                        emit(SEQ, n);
                        accepted.incrementAndGet();
                    } catch (IllegalStateException closed) {
                        return;
                    } finally {
                        endEmitting();
                    }
                }
            }, "storm-flood");
            thread.start();
            return completion();
        }
    }

    @RepeatedTest(5)
    void closeFromFourThreadsAndAListenerAtOnce_whileFlooding_losesNothingAndLeavesNoThread() throws Exception {
        AtomicReference<Flow> self = new AtomicReference<>();
        AtomicReference<Flood> flood = new AtomicReference<>();
        List<Long> written = new CopyOnWriteArrayList<>();
        AtomicBoolean writerClosed = new AtomicBoolean();
        AtomicLong writesAfterClose = new AtomicLong();
        CountDownLatch flowing = new CountDownLatch(500);
        CyclicBarrier together = new CyclicBarrier(5);
        Flow flow = Flow.builder()
                .handler(AsyncDispatcher.builder().capacity(16).overflow(Overflow.BLOCK).threadName("storm-loop")
                        .build())
                .restartPolicy(RestartPolicy.never()).errorReporter(error -> { })
                .manager(handler -> new Manager("storm", handler) {
                    {
                        Flood source = new Flood(processorName("source"), handler);
                        flood.set(source);
                        closeOnStop(() -> writerClosed.set(true));
                        source.on(SEQ, n -> {
                            if (writerClosed.get()) {
                                writesAfterClose.incrementAndGet();
                            }
                            written.add(n);
                            flowing.countDown();
                            if (n == 2000) {
                                self.get().close(); // on the loop thread: hands the close to a closer thread
                            }
                        });
                        setSource(source);
                    }
                }).build();
        self.set(flow);
        flow.start();
        assertThat(flowing.await(10, TimeUnit.SECONDS)).isTrue();

        List<Thread> closers = new ArrayList<>();
        List<Boolean> closedWhenReturned = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread closer = new Thread(() -> {
                try {
                    together.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                flow.close();
                closedWhenReturned.add(flow.isTerminated() && writerClosed.get() && flow.handler().isClosed());
            }, i == 0 ? "storm-shutdown-hook" : "storm-closer-" + i);
            closers.add(closer);
            closer.start();
        }
        together.await(10, TimeUnit.SECONDS);
        for (Thread closer : closers) {
            closer.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(closer.isAlive()).as(closer.getName() + " returned").isFalse();
        }

        assertThat(closedWhenReturned).containsExactly(true, true, true, true);
        assertThat(writesAfterClose.get()).isZero();
        assertThat((long) written.size()).isEqualTo(flood.get().accepted.get());
        assertThat(written).isSorted();
        for (String prefix : List.of("storm-loop", "pipeline-flow-")) {
            assertThat(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                    .filter(t -> t.getName().startsWith(prefix))
                    .filter(t -> !prefix.equals("pipeline-flow-") || t.getName().contains("-" + flowId(flow) + "-"))
                    .toList()).as(prefix).isEmpty();
        }
    }

    /** The N of the flow's threads' names, {@code pipeline-flow-N-…}, from its default name {@code flow-N}. */
    static String flowId(Flow flow) {
        return flow.name().substring("flow-".length());
    }
}
