package io.pipeline.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Emits {@link #TICK} for {@code start}, {@code start + interval}, … up to but excluding {@code end}, as fast as
 * the pipeline takes them, then completes: a backfill over past periods. Under an {@link AsyncDispatcher} with
 * {@link Overflow#BLOCK} the queue paces it. Stop it early with {@link #stop()}.
 *
 * <p>Ticks are emitted one after another on the scheduler's thread. Thread-safe.
 */
public class HistorySource extends TimerSource {
    /** Each instant of the backfill; the same event as {@link CronSource#TICK}. */
    public static final Event<Instant> TICK = CronSource.TICK;

    private final Instant start;
    private final Duration interval;
    private final Instant end;

    /**
     * Backfills from {@code start} (inclusive) to {@code end} (exclusive) every {@code interval}.
     *
     * @throws IllegalArgumentException if {@code interval} is not positive or {@code end} is before {@code start}
     */
    public HistorySource(String name, MessageHandler handler, Instant start, Duration interval, Instant end) {
        this(name, handler, start, interval, end, null);
    }

    /**
     * Backfills on the given scheduler.
     *
     * @param scheduler the scheduler to run on; {@code null} for a thread of the source's own
     */
    public HistorySource(String name, MessageHandler handler, Instant start, Duration interval, Instant end,
                         ScheduledExecutorService scheduler) {
        this(name, handler, start, interval, end, Clock.systemUTC(), scheduler);
    }

    /**
     * Backfills on the given scheduler; the clock is only used to schedule the start (a backfill does not wait
     * for wall-clock time).
     *
     * @param scheduler the scheduler to run on; {@code null} for a thread of the source's own
     */
    public HistorySource(String name, MessageHandler handler, Instant start, Duration interval, Instant end,
                         Clock clock, ScheduledExecutorService scheduler) {
        super(name, handler, clock, scheduler);
        this.start = Objects.requireNonNull(start, "start");
        this.interval = positive(interval, "interval");
        this.end = Objects.requireNonNull(end, "end");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("end " + end + " is before start " + start);
        }
    }

    /** {@code at + interval}, or {@code end} when that is not before it (also past {@link Instant#MAX}). */
    private Instant nextOrEnd(Instant at) {
        return Duration.between(at, end).compareTo(interval) > 0 ? at.plus(interval) : end;
    }

    @Override
    void onStart() {
        scheduleAt(clock().instant(), () -> {
            for (Instant at = start; at.isBefore(end) && !isStopped(); at = nextOrEnd(at)) {
                emitTick(TICK, at);
            }
            complete();
        });
    }
}
