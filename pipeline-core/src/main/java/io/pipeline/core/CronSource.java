package io.pipeline.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Emits {@link #TICK} at every wall-clock multiple of a frequency (counted from the epoch), shifted by an optional
 * offset — aiopype's {@code CronJob} and {@code OffsetCronJob}. With a frequency of one minute and an offset of
 * 5 s it ticks at 10:00:05, 10:01:05, …; the payload is the aligned instant, not the moment the tick ran. Ticks
 * missed while the machine was suspended are skipped, not replayed. Runs until {@link #stop()}.
 *
 * <p>Ticks are emitted on the scheduler's thread ({@code pipeline-<name>} unless one is injected). Thread-safe.
 */
public class CronSource extends TimerSource {
    /** The aligned instant of each tick. Shared by {@link TimeSource} and {@link HistorySource}. */
    public static final Event<Instant> TICK = Event.of("tick", Instant.class);

    private final Duration frequency;
    private final Duration offset;
    private volatile Instant last;

    /** Ticks at every multiple of {@code frequency}. */
    public CronSource(String name, MessageHandler handler, Duration frequency) {
        this(name, handler, frequency, Duration.ZERO);
    }

    /** Ticks at every multiple of {@code frequency} plus {@code offset}. */
    public CronSource(String name, MessageHandler handler, Duration frequency, Duration offset) {
        this(name, handler, frequency, offset, Clock.systemUTC(), null);
    }

    /**
     * Like {@link #CronSource(String, MessageHandler, Duration, Duration, Clock, ScheduledExecutorService)} without
     * an offset.
     */
    public CronSource(String name, MessageHandler handler, Duration frequency, Clock clock,
                      ScheduledExecutorService scheduler) {
        this(name, handler, frequency, Duration.ZERO, clock, scheduler);
    }

    /**
     * Ticks on the given clock and scheduler — for tests in virtual time, or to share a scheduler. Any positive frequency and any offset work, up to
     * {@link java.time.temporal.ChronoUnit#FOREVER}; a first tick beyond {@link Instant#MAX} never comes.
     *
     * @param scheduler the scheduler to run on; {@code null} for a thread of the source's own
     * @throws IllegalArgumentException if {@code frequency} is not positive
     */
    public CronSource(String name, MessageHandler handler, Duration frequency, Duration offset, Clock clock,
                      ScheduledExecutorService scheduler) {
        super(name, handler, clock, scheduler);
        this.frequency = positive(frequency, "frequency");
        this.offset = Objects.requireNonNull(offset, "offset");
    }

    /** The tick period. */
    public Duration frequency() {
        return frequency;
    }

    /** Its frequency: the stall watchdog expects a tick that often. */
    @Override
    public java.util.Optional<Duration> expectedInterval() {
        return java.util.Optional.of(frequency);
    }

    /** The shift from each multiple of the frequency. */
    public Duration offset() {
        return offset;
    }

    @Override
    void onStart() {
        scheduleNext(clock().instant());
    }

    private void scheduleNext(Instant after) {
        Instant next = nextAligned(after, frequency, offset);
        scheduleAt(next, () -> tick(next));
    }

    private void tick(Instant aligned) {
        last = aligned;
        emitTick(TICK, aligned);
        Instant now = clock().instant();
        scheduleNext(now.isAfter(aligned) ? now : aligned);
    }

    /** The latest tick emitted, if any. */
    public java.util.Optional<Instant> lastTick() {
        return java.util.Optional.ofNullable(last);
    }
}
