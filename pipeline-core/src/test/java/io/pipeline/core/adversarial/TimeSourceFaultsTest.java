package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.CronSource;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Time sources under faults: listener errors, closing while a tick runs. */
class TimeSourceFaultsTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);

    @Test
    void close_whileCronTickIsInAListener_closesResourcesOnlyAfterTheTick() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        AtomicBoolean resourceClosed = new AtomicBoolean();
        List<String> events = new CopyOnWriteArrayList<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                .manager(handler -> new Manager("cron", handler) {
                    {
                        CronSource cron = new CronSource(processorName("ticks"), handler, Duration.ofMillis(1));
                        closeOnStop(() -> {
                            resourceClosed.set(true);
                            events.add("closed");
                        });
                        cron.on(CronSource.TICK, tick -> {
                            if (!first.compareAndSet(true, false)) {
                                return;
                            }
                            entered.countDown();
                            release.await(10, TimeUnit.SECONDS);
                            events.add(resourceClosed.get() ? "write after close" : "write");
                        });
                        setSource(cron);
                    }
                }).build();
        flow.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(flow::close, "test-closer");
        closer.start();
        Threads.awaitBlockedOrDone(closer);
        release.countDown();
        Threads.awaitEnd(closer);

        assertThat(events).containsExactly("write", "closed");
        assertThat(Threads.alive("pipeline-cron.ticks")).isEmpty();
    }

    @Test
    void closeFromATickListener_whileAnotherThreadIsClosing_doesNotDeadlock() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch closing = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicReference<Flow> self = new java.util.concurrent.atomic.AtomicReference<>();
        CountDownLatch listenerReturned = new CountDownLatch(1);
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                .manager(handler -> new Manager("cron2", handler) {
                    {
                        CronSource cron = new CronSource(processorName("ticks"), handler, Duration.ofMillis(1));
                        cron.on(CronSource.TICK, tick -> {
                            if (!first.compareAndSet(true, false)) {
                                return;
                            }
                            entered.countDown();
                            closing.await(10, TimeUnit.SECONDS);
                            self.get().close(); // "stop after this tick", while a shutdown hook closes too
                            listenerReturned.countDown();
                        });
                        setSource(cron);
                    }
                }).build();
        self.set(flow);
        flow.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread hook = new Thread(flow::close, "test-hook");
        hook.setDaemon(true);
        hook.start();
        Threads.awaitBlockedOrDone(hook);
        closing.countDown();
        assertThat(listenerReturned.await(10, TimeUnit.SECONDS)).as("the listener's close() returned").isTrue();
        Threads.awaitEnd(hook);
        assertThat(flow.isTerminated()).isTrue();
    }

    @Test
    void listenerOnTheLoop_stoppingItsBackfillWhileTheBackfillWaitsForRoom_doesNotDeadlock() throws Exception {
        io.pipeline.core.AsyncDispatcher handler = io.pipeline.core.AsyncDispatcher.builder().capacity(1)
                .overflow(io.pipeline.core.Overflow.BLOCK).threadName("adv-history-loop").build();
        io.pipeline.core.HistorySource history = new io.pipeline.core.HistorySource("history", handler,
                Instant.EPOCH, Duration.ofSeconds(1), Instant.EPOCH.plusSeconds(1_000_000));
        AtomicInteger seen = new AtomicInteger();
        history.on(io.pipeline.core.HistorySource.TICK, tick -> {
            if (seen.incrementAndGet() == 50) {
                history.stop();
            }
        });
        CompletableFuture<Void> done = history.start();
        done.get(10, TimeUnit.SECONDS);
        Thread closer = new Thread(handler::close, "adv-history-closer");
        closer.setDaemon(true);
        closer.start();
        Threads.awaitEnd(closer);
        assertThat(seen.get()).isBetween(50, 60);
    }

    /** A wall clock that lags the scheduler's clock by a settable amount: clock slew. */
    static final class LaggingClock extends Clock {
        private final Clock scheduler;
        volatile Duration lag = Duration.ZERO;

        LaggingClock(Clock scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        public Instant instant() {
            return scheduler.instant().minus(lag);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void restartedTimeSource_underClockSlew_ticksOncePerPeriod_everyPeriod() {
        clock.set(Instant.parse("2026-01-01T00:00:30Z"));
        LaggingClock wall = new LaggingClock(clock);
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher())
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)).withRandomFactor(0))
                .clock(wall).scheduler(scheduler).errorReporter(new RecordingErrorReporter())
                .manager(handler -> new Manager("minute", handler) {
                    {
                        io.pipeline.core.TimeSource source = new io.pipeline.core.TimeSource(processorName("tick"),
                                handler, Duration.ofMinutes(1), wall, scheduler);
                        source.on(io.pipeline.core.TimeSource.TICK, ticks::add);
                        setSource(source);
                    }
                }).build();
        flow.start();
        wall.lag = Duration.ofMillis(1500); // the wall clock falls behind the scheduler's timer
        scheduler.advance(Duration.ofMinutes(10));
        assertThat(ticks).doesNotHaveDuplicates().hasSize(10);
        assertThat(ticks.get(0)).isEqualTo(Instant.parse("2026-01-01T00:01:00Z"));
        assertThat(flow.health().status()).isEqualTo(io.pipeline.core.HealthStatus.UP);
        flow.close();
    }

    @Test
    void cronListenerOutOfMemory_underSync_failsTheSourceAndClosesTheHandler() {
        SyncDispatcher handler = new SyncDispatcher();
        CronSource cron = new CronSource("ticks", handler, Duration.ofSeconds(1), clock, scheduler);
        cron.on(CronSource.TICK, tick -> {
            throw new OutOfMemoryError("listener");
        });
        CompletableFuture<Void> done = cron.start();
        try {
            scheduler.advance(Duration.ofSeconds(1));
        } catch (OutOfMemoryError loud) {
            // fine
        }
        assertThat(done).isCompletedExceptionally();
        assertThat(scheduler.pending()).isZero();
        assertThat(handler.isClosed()).isTrue();
    }

    @Test
    void cronListenerStackOverflow_underSync_isAnErrorEventAndTicksGoOn() {
        SyncDispatcher handler = new SyncDispatcher();
        CronSource cron = new CronSource("ticks", handler, Duration.ofSeconds(1), clock, scheduler);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AtomicInteger ticks = new AtomicInteger();
        cron.on(CronSource.TICK, tick -> {
            ticks.incrementAndGet();
            throw new StackOverflowError("listener");
        });
        cron.on(Processor.ERROR, errors::add);
        CompletableFuture<Void> done = cron.start();
        scheduler.advance(Duration.ofSeconds(3));
        assertThat(ticks.get()).isEqualTo(3);
        assertThat(errors).hasSize(3).allSatisfy(e -> assertThat(e).hasRootCauseInstanceOf(StackOverflowError.class));
        assertThat(done).isNotDone();
        cron.stop();
        assertThat(done).isCompleted();
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void cronOnClosedHandler_failsTheSourceInsteadOfTickingSilently() {
        SyncDispatcher handler = new SyncDispatcher();
        CronSource cron = new CronSource("ticks", handler, Duration.ofSeconds(1), clock, scheduler);
        cron.on(CronSource.TICK, tick -> {});
        CompletableFuture<Void> done = cron.start();
        handler.close();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(done).isCompletedExceptionally();
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void cronFrequencyOfOneNanosecond_ticksInVirtualTime() {
        SyncDispatcher handler = new SyncDispatcher();
        CronSource cron = new CronSource("ticks", handler, Duration.ofNanos(1), clock, scheduler);
        AtomicInteger ticks = new AtomicInteger();
        cron.on(CronSource.TICK, tick -> ticks.incrementAndGet());
        cron.start();
        scheduler.advance(Duration.ofNanos(100));
        assertThat(ticks.get()).isEqualTo(100);
        cron.stop();
    }

    @Test
    void cronFrequencyForever_doesNotThrow() {
        SyncDispatcher handler = new SyncDispatcher();
        CronSource cron = new CronSource("ticks", handler, Duration.ofDays(365 * 200), clock, scheduler);
        CompletableFuture<Void> done = cron.start();
        assertThat(done).isNotDone();
        cron.stop();
        assertThat(done).isCompleted();
    }

    static Clock unused() {
        return Clock.systemUTC();
    }

    static MessageHandler unusedHandler() {
        return new SyncDispatcher();
    }
}
