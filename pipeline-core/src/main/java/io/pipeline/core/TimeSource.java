package io.pipeline.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Emits one {@link #TICK} at the next wall-clock multiple of a frequency (plus an optional offset), then is done:
 * a one-shot {@link CronSource}. Useful for a pipeline that runs once per period under a flow whose managers
 * restart when done.
 *
 * <p>The tick is emitted on the scheduler's thread. Thread-safe.
 */
public class TimeSource extends TimerSource {
    /** The aligned instant of the tick; the same event as {@link CronSource#TICK}. */
    public static final Event<Instant> TICK = CronSource.TICK;

    private final Duration frequency;
    private final Duration offset;

    /** Ticks once, at the next multiple of {@code frequency}. */
    public TimeSource(String name, MessageHandler handler, Duration frequency) {
        this(name, handler, frequency, Duration.ZERO);
    }

    /** Ticks once, at the next multiple of {@code frequency} plus {@code offset}. */
    public TimeSource(String name, MessageHandler handler, Duration frequency, Duration offset) {
        this(name, handler, frequency, offset, Clock.systemUTC(), null);
    }

    /**
     * Like {@link #TimeSource(String, MessageHandler, Duration, Duration, Clock, ScheduledExecutorService)} without
     * an offset.
     */
    public TimeSource(String name, MessageHandler handler, Duration frequency, Clock clock,
                      ScheduledExecutorService scheduler) {
        this(name, handler, frequency, Duration.ZERO, clock, scheduler);
    }

    /**
     * Ticks once on the given clock and scheduler. Any positive frequency and any offset work, up to
     * {@link java.time.temporal.ChronoUnit#FOREVER}; a first tick beyond {@link Instant#MAX} never comes.
     *
     * @param scheduler the scheduler to run on; {@code null} for a thread of the source's own
     * @throws IllegalArgumentException if {@code frequency} is not positive
     */
    public TimeSource(String name, MessageHandler handler, Duration frequency, Duration offset, Clock clock,
                      ScheduledExecutorService scheduler) {
        super(name, handler, clock, scheduler);
        this.frequency = positive(frequency, "frequency");
        this.offset = Objects.requireNonNull(offset, "offset");
    }

    /** Its frequency: one tick per period, the manager rebuilt in between. */
    @Override
    public java.util.Optional<Duration> expectedInterval() {
        return java.util.Optional.of(frequency);
    }

    @Override
    void onStart() {
        Instant at = nextAligned(clock().instant(), frequency, offset);
        scheduleAt(at, () -> {
            emitTick(TICK, at);
            complete();
        });
    }
}
