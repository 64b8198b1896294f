package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimeSourcesTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:07.250Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final SyncDispatcher handler = new SyncDispatcher();
    final List<Instant> ticks = new CopyOnWriteArrayList<>();

    @Test
    void cronSource_ticksAtEveryAlignedMultiple() {
        CronSource cron = new CronSource("cron", handler, Duration.ofSeconds(10), Duration.ZERO, clock, scheduler);
        cron.on(CronSource.TICK, ticks::add);

        CompletableFuture<Void> done = cron.start();
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(ticks).isEmpty();
        scheduler.advance(Duration.ofSeconds(31));

        assertThat(ticks).containsExactly(Instant.parse("2026-01-05T10:00:10Z"), Instant.parse("2026-01-05T10:00:20Z"),
                Instant.parse("2026-01-05T10:00:30Z"), Instant.parse("2026-01-05T10:00:40Z"));
        assertThat(done).isNotDone();
        assertThat(cron.lastTick()).contains(Instant.parse("2026-01-05T10:00:40Z"));
    }

    @Test
    void cronSource_withOffset_ticksShiftedFromEachMultiple() {
        CronSource cron = new CronSource("cron", handler, Duration.ofMinutes(1), Duration.ofSeconds(5), clock, scheduler);
        cron.on(CronSource.TICK, ticks::add);

        cron.start();
        scheduler.advance(Duration.ofMinutes(2));

        assertThat(ticks).containsExactly(Instant.parse("2026-01-05T10:01:05Z"), Instant.parse("2026-01-05T10:02:05Z"));
    }

    @Test
    void cronSource_skipsTicksMissedWhileTheClockJumped() {
        CronSource cron = new CronSource("cron", handler, Duration.ofSeconds(10), Duration.ZERO, clock, scheduler);
        cron.on(CronSource.TICK, ticks::add);
        cron.start();
        scheduler.advance(Duration.ofSeconds(3));
        assertThat(ticks).containsExactly(Instant.parse("2026-01-05T10:00:10Z"));

        clock.advance(Duration.ofMinutes(5));
        scheduler.runReady();
        scheduler.advance(Duration.ofSeconds(10));

        assertThat(ticks).hasSize(3);
        assertThat(ticks.get(2)).isAfter(Instant.parse("2026-01-05T10:05:10Z"));
    }

    @Test
    void cronSource_stop_completesNormallyAndTicksNoMore() {
        CronSource cron = new CronSource("cron", handler, Duration.ofSeconds(10), Duration.ZERO, clock, scheduler);
        cron.on(CronSource.TICK, ticks::add);
        CompletableFuture<Void> done = cron.start();
        scheduler.advance(Duration.ofSeconds(5));

        cron.stop();
        scheduler.advance(Duration.ofMinutes(1));

        assertThat(done).isCompletedWithValue(null);
        assertThat(ticks).hasSize(1);
        assertThat(cron.isDone()).isTrue();
    }

    @Test
    void cronSource_startTwice_throws() {
        CronSource cron = new CronSource("cron", handler, Duration.ofSeconds(10), Duration.ZERO, clock, scheduler);
        cron.start();

        assertThatThrownBy(cron::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
    }

    @Test
    void cronSource_failsWhenEmitFails() {
        CronSource cron = new CronSource("cron", handler, Duration.ofSeconds(10), Duration.ZERO, clock, scheduler);
        cron.on(CronSource.TICK, ticks::add);
        CompletableFuture<Void> done = cron.start();

        handler.close();
        scheduler.advance(Duration.ofSeconds(5));

        assertThat(done).isCompletedExceptionally();
    }

    @Test
    void timeSources_rejectNonPositiveFrequency() {
        assertThatThrownBy(() -> new CronSource("c", handler, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frequency").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> new TimeSource("t", handler, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timeSource_emitsOneAlignedTickThenIsDone() {
        TimeSource time = new TimeSource("time", handler, Duration.ofMinutes(15), Duration.ZERO, clock, scheduler);
        time.on(TimeSource.TICK, ticks::add);

        CompletableFuture<Void> done = time.start();
        scheduler.advance(Duration.ofHours(1));

        assertThat(ticks).containsExactly(Instant.parse("2026-01-05T10:15:00Z"));
        assertThat(done).isCompletedWithValue(null);
    }

    @Test
    void historySource_emitsEveryIntervalBeforeEnd_thenCompletes() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        HistorySource history = new HistorySource("history", handler, start, Duration.ofHours(6),
                Instant.parse("2026-01-02T00:00:00Z"), scheduler);
        history.on(HistorySource.TICK, ticks::add);

        CompletableFuture<Void> done = history.start();
        scheduler.runReady();

        assertThat(ticks).containsExactly(start, start.plus(Duration.ofHours(6)), start.plus(Duration.ofHours(12)),
                start.plus(Duration.ofHours(18)));
        assertThat(done).isCompletedWithValue(null);
    }

    @Test
    void historySource_rejectsEndBeforeStart() {
        Instant start = Instant.parse("2026-01-02T00:00:00Z");
        assertThatThrownBy(() -> new HistorySource("h", handler, start, Duration.ofHours(1), start.minusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before start");
    }

    @Test
    void historySource_onOwnThread_runsAndEndsItsThread() throws Exception {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        HistorySource history = new HistorySource("backfill", handler, start, Duration.ofMinutes(1),
                start.plus(Duration.ofHours(1)));
        List<String> threads = new CopyOnWriteArrayList<>();
        history.on(HistorySource.TICK, t -> {
            ticks.add(t);
            threads.add(Thread.currentThread().getName());
        });

        history.start().get(5, TimeUnit.SECONDS);

        assertThat(ticks).hasSize(60);
        assertThat(threads).containsOnly("pipeline-backfill");
        DispatcherContractTest.waitFor(() -> AsyncDispatcherTest.liveThreadsNamed("pipeline-backfill") == 0);
    }

    @Test
    void injectableConstructorsWithoutOffset_tickOnTheGivenClock() {
        CronSource cron = new CronSource("cron", handler, Duration.ofSeconds(30), clock, scheduler);
        TimeSource time = new TimeSource("time", handler, Duration.ofSeconds(30), clock, scheduler);
        cron.on(CronSource.TICK, ticks::add);
        time.on(TimeSource.TICK, ticks::add);

        cron.start();
        time.start();
        scheduler.advance(Duration.ofSeconds(60));

        assertThat(ticks).containsExactly(Instant.parse("2026-01-05T10:00:30Z"), Instant.parse("2026-01-05T10:00:30Z"),
                Instant.parse("2026-01-05T10:01:00Z"));
    }

    @Test
    void ticksShareOneEvent() {
        assertThat(TimeSource.TICK).isEqualTo(CronSource.TICK).isEqualTo(HistorySource.TICK);
    }

    @Test
    void cronSource_listenerFatalErrorUnderSyncDispatcher_failsTheSourceInsteadOfStoppingSilently() {
        CronSource cron = new CronSource("cron", handler, Duration.ofSeconds(10), Duration.ZERO, clock, scheduler);
        OutOfMemoryError fatal = new OutOfMemoryError("simulated");
        cron.on(CronSource.TICK, tick -> {
            throw fatal;
        });
        CompletableFuture<Void> done = cron.start();

        scheduler.advance(Duration.ofSeconds(5)); // the scheduler's task swallows the rethrown error

        assertThat(done).isCompletedExceptionally();
        assertThatThrownBy(done::join).hasCauseReference(fatal);
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void cronSource_listenerErrorWithoutErrorListener_keepsTicking() {
        CronSource cron = new CronSource("cron", handler, Duration.ofSeconds(10), Duration.ZERO, clock, scheduler);
        cron.on(CronSource.TICK, tick -> {
            ticks.add(tick);
            throw new IllegalStateException("listener bug");
        });
        CompletableFuture<Void> done = cron.start();

        scheduler.advance(Duration.ofSeconds(33));

        assertThat(ticks).hasSize(4);
        assertThat(done).isNotDone();
    }

    @Test
    void timeSource_whenTheWallClockLagsTheScheduler_rearmsInsteadOfTickingEarly() {
        ManualClock wall = new ManualClock(Instant.parse("2026-01-05T10:00:30Z"));
        TimeSource first = new TimeSource("time", handler, Duration.ofMinutes(1), wall, scheduler);
        first.on(TimeSource.TICK, ticks::add);
        CompletableFuture<Void> done = first.start(); // due at 10:01:00 on the wall clock, in 30 s

        wall.set(Instant.parse("2026-01-05T10:00:59.990Z")); // the wall clock lags the scheduler by 10 ms
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(ticks).isEmpty();
        assertThat(done).isNotDone();

        wall.set(Instant.parse("2026-01-05T10:01:00Z"));
        scheduler.advance(Duration.ofMillis(10));
        assertThat(ticks).containsExactly(Instant.parse("2026-01-05T10:01:00Z"));
        assertThat(done).isCompleted();

        first.removeAllListeners(); // as the flow does before it rebuilds the manager
        TimeSource restarted = new TimeSource("time", handler, Duration.ofMinutes(1), wall, scheduler);
        restarted.on(TimeSource.TICK, ticks::add);
        restarted.start(); // the wall clock reads 10:01:00: the next tick is 10:02:00, not 10:01:00 again
        wall.set(Instant.parse("2026-01-05T10:02:00Z"));
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(ticks).containsExactly(Instant.parse("2026-01-05T10:01:00Z"), Instant.parse("2026-01-05T10:02:00Z"));
    }
}
