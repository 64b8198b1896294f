package io.pipeline.core.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.CronSource;
import io.pipeline.core.HistorySource;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.core.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The time sources' Duration-taking constructors at the extremes: zero, negative, 1 ns and FOREVER. */
class TimeSourceDurationExtremesTest {
    static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final SyncDispatcher handler = new SyncDispatcher();

    @Test
    void zeroOrNegativeFrequency_isRejected_namingTheValue() {
        for (Duration bad : List.of(Duration.ZERO, Duration.ofNanos(-1), FOREVER.negated())) {
            assertThatThrownBy(() -> new CronSource("c", handler, bad, clock, scheduler))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.toString());
            assertThatThrownBy(() -> new TimeSource("t", handler, bad, clock, scheduler))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.toString());
            assertThatThrownBy(() -> new HistorySource("h", handler, clock.instant(), bad,
                    clock.instant().plusSeconds(1), clock, scheduler))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.toString());
        }
    }

    @Test
    void cronSource_foreverFrequency_startsAndNeverTicks() {
        CronSource cron = new CronSource("cron", handler, FOREVER, clock, scheduler);
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        cron.on(CronSource.TICK, ticks::add);

        CompletableFuture<Void> running = cron.start();
        scheduler.advance(Duration.ofDays(365 * 100));

        assertThat(running).isNotDone();
        assertThat(ticks).isEmpty();
        cron.stop();
        assertThat(running).isCompletedWithValue(null);
    }

    @Test
    void timeSource_foreverFrequencyAndOffset_startsAndNeverTicks() {
        TimeSource once = new TimeSource("once", handler, FOREVER, FOREVER, clock, scheduler);
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        once.on(TimeSource.TICK, ticks::add);

        CompletableFuture<Void> running = once.start();
        scheduler.advance(Duration.ofDays(365 * 100));

        assertThat(running).isNotDone();
        assertThat(ticks).isEmpty();
        once.stop();
        assertThat(running).isCompletedWithValue(null);
    }

    @Test
    void cronSource_hugeOffset_isTakenModuloTheFrequency() {
        // FOREVER is 9223372036854775807 s + 999999999 ns: modulo one minute that is 7 s + 999999999 ns.
        CronSource cron = new CronSource("cron", handler, Duration.ofMinutes(1), FOREVER, clock, scheduler);
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        cron.on(CronSource.TICK, ticks::add);

        CompletableFuture<Void> running = cron.start();
        scheduler.advance(Duration.ofMinutes(2));

        assertThat(running).isNotDone();
        assertThat(ticks).containsExactly(Instant.parse("2026-01-05T10:00:07.999999999Z"),
                Instant.parse("2026-01-05T10:01:07.999999999Z"));
        cron.stop();
    }

    @Test
    void cronSource_oneNanosecond_ticksEveryNanosecond() {
        CronSource cron = new CronSource("cron", handler, Duration.ofNanos(1), clock, scheduler);
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        cron.on(CronSource.TICK, ticks::add);

        cron.start();
        scheduler.advance(Duration.ofNanos(5));
        cron.stop();

        assertThat(ticks).containsExactly(clock.instant().minusNanos(4), clock.instant().minusNanos(3),
                clock.instant().minusNanos(2), clock.instant().minusNanos(1), clock.instant());
    }

    @Test
    void historySource_foreverInterval_emitsTheStartOnly_andCompletes() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        HistorySource history = new HistorySource("history", handler, start, FOREVER, Instant.MAX, clock,
                scheduler);
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        history.on(HistorySource.TICK, ticks::add);

        CompletableFuture<Void> running = history.start();
        scheduler.advance(Duration.ZERO);

        assertThat(ticks).containsExactly(start);
        assertThat(running).isCompletedWithValue(null);
    }

    @Test
    void historySource_intervalReachingBeyondInstantMax_stopsAtTheEnd() {
        Instant start = Instant.MAX.minusSeconds(10);
        HistorySource history = new HistorySource("history", handler, start, Duration.ofSeconds(4), Instant.MAX,
                clock, scheduler);
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        history.on(HistorySource.TICK, ticks::add);

        CompletableFuture<Void> running = history.start();
        scheduler.advance(Duration.ZERO);

        assertThat(ticks).containsExactly(start, start.plusSeconds(4), start.plusSeconds(8));
        assertThat(running).isCompletedWithValue(null);
    }
}
