package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.CronSource;
import io.pipeline.core.Flow;
import io.pipeline.core.HistorySource;
import io.pipeline.core.Manager;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.Source;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.core.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * The stop contract of {@link Source} — after {@code stop()}, the future completes only once no emit of the source is
 * in progress on its own thread — kept by the time sources, and what {@link Flow#close()} makes of it.
 */
class SourceStopContractTest {

    @Test
    void timeSource_flowCloseWhileItsTickIsInAListener_closesResourcesOnlyAfterTheTick() throws Exception {
        assertResourceClosedAfterTheDelivery((name, handler) -> new TimeSource(name, handler, Duration.ofMillis(1)),
                "pipeline-time.tick");
    }

    @Test
    void historySource_flowCloseWhileABackfillTickIsInAListener_closesResourcesOnlyAfterIt() throws Exception {
        assertResourceClosedAfterTheDelivery((name, handler) -> new HistorySource(name, handler, Instant.EPOCH,
                Duration.ofSeconds(1), Instant.EPOCH.plusSeconds(1_000_000)), "pipeline-time.tick");
    }

    @Test
    void cronSource_stopWhileATickIsInAListener_completesTheFutureOnlyWhenTheListenerReturns() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        CronSource cron = new CronSource("cron-stop", new SyncDispatcher(), Duration.ofMillis(1));
        cron.on(CronSource.TICK, tick -> {
            if (first.compareAndSet(true, false)) {
                entered.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
        });
        CompletableFuture<Void> future = cron.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        cron.stop();
        assertThat(future).as("a tick is still in its listener").isNotDone();
        release.countDown();
        future.get(10, TimeUnit.SECONDS);
        assertThat(future).isCompleted();
    }

    @Test
    void cronSource_stoppedByItsOwnListener_completesWhenThatTickEnds_andTicksNoMore() throws Exception {
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        AtomicReference<CronSource> self = new AtomicReference<>();
        AtomicBoolean doneInsideTheTick = new AtomicBoolean(true);
        CronSource cron = new CronSource("cron-self", new SyncDispatcher(), Duration.ofMillis(1));
        self.set(cron);
        cron.on(CronSource.TICK, tick -> {
            ticks.add(tick);
            self.get().stop();
            doneInsideTheTick.set(self.get().isDone());
        });
        cron.start().get(10, TimeUnit.SECONDS);

        assertThat(ticks).hasSize(1);
        assertThat(doneInsideTheTick).as("not done while its tick runs").isFalse();
    }

    @Test
    void flowClose_calledFromAListenerInsideTheSourcesEmittingWork_doesNotWaitForItself() throws Exception {
        AtomicReference<Flow> self = new AtomicReference<>();
        CompletableFuture<Void> closeReturned = new CompletableFuture<>();
        List<String> events = new CopyOnWriteArrayList<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                .errorReporter(new RecordingErrorReporter()).sourceStopTimeout(ChronoUnit.FOREVER.getDuration())
                .manager(handler -> new Manager("self", handler) {
                    {
                        SyncCloseInFlightTest.BracketingSource s =
                                new SyncCloseInFlightTest.BracketingSource(processorName("source"), handler);
                        closeOnStop(() -> events.add("closed"));
                        s.on(ManualSource.DATA, data -> {
                            self.get().close(); // "stop after this one": must not wait for this very delivery
                            events.add("listener returns");
                            closeReturned.complete(null);
                        });
                        setSource(s);
                    }
                }).build();
        self.set(flow);
        flow.start();

        closeReturned.get(10, TimeUnit.SECONDS);
        assertThat(events).containsExactly("closed", "listener returns");
        assertThat(flow.isTerminated()).isTrue();
    }

    @Test
    void flowClose_withASourceWhoseFutureNeverCompletes_givesUpAfterTheSourceStopTimeout() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                .errorReporter(new RecordingErrorReporter()).sourceStopTimeout(Duration.ofMillis(50))
                .manager(handler -> new Manager("stuck", handler) {
                    {
                        setSource(new Source(processorName("source"), handler) {
                            @Override
                            public CompletableFuture<Void> start() {
                                return new CompletableFuture<>(); // never completes, not even on stop()
                            }
                        });
                        closeOnStop(() -> closed.set(true));
                    }
                }).build();
        flow.start();
        Thread closer = new Thread(flow::close, "adv-stuck-closer");
        closer.start();
        Threads.awaitEnd(closer);

        assertThat(closed).as("resources closed once the wait ran out").isTrue();
        assertThat(flow.isTerminated()).isTrue();
    }

    @Test
    void sourceStopTimeout_rejectsZeroAndNegative_namingTheValue() {
        assertThatThrownBy(() -> Flow.builder().sourceStopTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Flow.builder().sourceStopTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    }

    @Test
    void beginEmitting_afterStop_refuses() {
        SyncCloseInFlightTest.BracketingSource source =
                new SyncCloseInFlightTest.BracketingSource("refuses", new SyncDispatcher());
        List<String> heard = new CopyOnWriteArrayList<>();
        source.on(ManualSource.DATA, heard::add);
        source.stop();
        source.respond(); // its work after stop(): refused by beginEmitting()
        assertThat(heard).isEmpty();
        assertThat(source.isDone()).isTrue();
    }

    /** A source whose test drives its emitting work from any thread. */
    static final class WorkSource extends Source {
        WorkSource(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            return completion();
        }

        boolean begin() {
            return beginEmitting();
        }

        void end() {
            endEmitting();
        }
    }

    @Test
    void beginEmitting_racingStopOnFourThreads_neverStartsWorkAfterTheFutureCompleted() throws Exception {
        WorkSource source = new WorkSource("race", new SyncDispatcher());
        CompletableFuture<Void> future = source.start();
        java.util.concurrent.atomic.AtomicInteger violations = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger inWork = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger delivered = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch warm = new CountDownLatch(4_000);
        source.on(ManualSource.DATA, data -> {
            delivered.incrementAndGet();
            warm.countDown();
        });
        future.whenComplete((ignored, failure) -> {
            if (inWork.get() != 0) {
                violations.incrementAndGet(); // completed while work was in progress
            }
        });
        List<Thread> workers = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread worker = new Thread(() -> {
                while (source.begin()) {
                    inWork.incrementAndGet();
                    try {
                        if (future.isDone()) {
                            violations.incrementAndGet(); // work began after the future completed
                        }
                        source.emit(ManualSource.DATA, "x");
                    } finally {
                        inWork.decrementAndGet();
                        source.end();
                    }
                }
            }, "adv-race-" + i);
            workers.add(worker);
            worker.start();
        }
        assertThat(warm.await(10, TimeUnit.SECONDS)).isTrue();

        source.stop();
        future.get(10, TimeUnit.SECONDS);
        for (Thread worker : workers) {
            Threads.awaitEnd(worker);
        }

        assertThat(violations).hasValue(0);
        assertThat(source.begin()).as("refused after stop").isFalse();
    }

    @Test
    void flowClose_interruptedWhileWaitingForASourcesDelivery_stillWaits_andKeepsTheInterruptFlag() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean resourceClosed = new AtomicBoolean();
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Boolean> flagAfterClose = new CompletableFuture<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                .errorReporter(new RecordingErrorReporter())
                .manager(handler -> new Manager("interrupted", handler) {
                    {
                        SyncCloseInFlightTest.BracketingSource s =
                                new SyncCloseInFlightTest.BracketingSource(processorName("source"), handler);
                        closeOnStop(() -> {
                            resourceClosed.set(true);
                            events.add("closed");
                        });
                        s.on(ManualSource.DATA, data -> {
                            entered.countDown();
                            release.await(10, TimeUnit.SECONDS);
                            events.add(resourceClosed.get() ? "write after close" : "write");
                        });
                        setSource(s);
                    }
                }).build();
        flow.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(() -> {
            flow.close();
            flagAfterClose.complete(Thread.currentThread().isInterrupted());
        }, "adv-interrupted-closer");
        closer.start();
        Threads.awaitBlockedOrDone(closer);
        closer.interrupt();
        Threads.awaitBlockedOrDone(closer); // waiting again, not closing
        assertThat(events).isEmpty();
        release.countDown();

        assertThat(flagAfterClose.get(10, TimeUnit.SECONDS)).as("interrupt flag kept").isTrue();
        assertThat(events).containsExactly("write", "closed");
    }

    /**
     * A time source on its own thread under a {@link SyncDispatcher}: the flow is closed while its first tick is in a
     * listener; the resource must close only after the listener returned, and the source's thread must be gone.
     */
    private static void assertResourceClosedAfterTheDelivery(BiFunction<String, MessageHandler, Source> kind,
                                                             String threadName) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        AtomicBoolean resourceClosed = new AtomicBoolean();
        List<String> events = new CopyOnWriteArrayList<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                .errorReporter(new RecordingErrorReporter())
                .manager(handler -> new Manager("time", handler) {
                    {
                        Source source = kind.apply(processorName("tick"), handler);
                        closeOnStop(() -> {
                            resourceClosed.set(true);
                            events.add("closed");
                        });
                        source.on(CronSource.TICK, tick -> {
                            if (!first.compareAndSet(true, false)) {
                                return;
                            }
                            entered.countDown();
                            release.await(10, TimeUnit.SECONDS);
                            events.add(resourceClosed.get() ? "write after close" : "write");
                        });
                        setSource(source);
                    }
                }).build();
        flow.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(flow::close, "adv-time-closer");
        closer.start();
        Threads.awaitBlockedOrDone(closer);
        assertThat(closer.isAlive()).as("close waits for the tick").isTrue();
        release.countDown();
        Threads.awaitEnd(closer);

        assertThat(events).containsExactly("write", "closed");
        assertThat(Threads.alive(threadName)).isEmpty();
    }
}
