package io.pipeline.operators;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every operator shares: its clock and scheduler, the bound on its keys, and whether its state survives a
 * manager restart. One immutable value; each {@code with…} returns a copy.
 *
 * <ul>
 *   <li>{@link #clock()} — arrival time: dedup horizons, throttle intervals, staleness, a window's idle keys and
 *       its clock-driven closing. Default {@link Clock#systemUTC()}. Operators reading a {@link Series}
 *       ({@link RollingStats}, {@link Ewma}, {@link Trend}, {@link AnomalyDetector}, {@link ThresholdAlert}) never
 *       read the clock per value (a clock read can cost more than the statistics): their idleness is event time.
 *   <li>{@link #scheduler()} — runs the timers of clock-driven operators (time windows closing when no event
 *       arrives, throttle, staleness). None by default: time windows then close on event time only, and the
 *       operators that cannot work without one ({@link Throttle}, {@link StalenessAlert}) refuse to be built.
 *       The scheduler only emits a tick into the operator; the operator's work runs where its listeners run.
 *       Inside a manager, the timers start when the manager starts ({@link io.pipeline.core.StartGate}), not
 *       when the operator is built: after a restart a timer may already be due, and its tick must not come before
 *       the manager's constructor has subscribed the operator's listeners.
 *   <li>{@link #maxKeys()} and {@link #idleEviction()} — a keyed operator keeps state for at most
 *       {@code maxKeys} keys (default 100,000; the least recently seen key is evicted first) and forgets a key
 *       not seen for {@code idleEviction} (default 1 day): of clock time, or for the operators reading a
 *       {@link Series}, of event time — a key whose newest value is that far behind the newest value of any key.
 *   <li>{@link #freshState()} — by default an operator keeps its state in
 *       {@link io.pipeline.core.RetainedState}, and the instance a restarted manager builds under the same name
 *       continues it; a fresh operator starts empty every time.
 * </ul>
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public final class OperatorOptions {
    private static final OperatorOptions DEFAULTS =
            new OperatorOptions(Clock.systemUTC(), null, 100_000, Duration.ofDays(1), false);

    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final int maxKeys;
    private final Duration idleEviction;
    private final boolean freshState;

    private OperatorOptions(Clock clock, ScheduledExecutorService scheduler, int maxKeys, Duration idleEviction,
            boolean freshState) {
        this.clock = clock;
        this.scheduler = scheduler;
        this.maxKeys = maxKeys;
        this.idleEviction = idleEviction;
        this.freshState = freshState;
    }

    /** The defaults: system UTC clock, no scheduler, 100,000 keys, idle keys forgotten after a day, retained state. */
    public static OperatorOptions defaults() {
        return DEFAULTS;
    }

    /** With {@code clock} for arrival time. */
    public OperatorOptions withClock(Clock clock) {
        return new OperatorOptions(Objects.requireNonNull(clock, "clock"), scheduler, maxKeys, idleEviction, freshState);
    }

    /** With {@code scheduler} for clock-driven timers. The caller owns it and shuts it down. */
    public OperatorOptions withScheduler(ScheduledExecutorService scheduler) {
        return new OperatorOptions(clock, Objects.requireNonNull(scheduler, "scheduler"), maxKeys, idleEviction,
                freshState);
    }

    /**
     * With at most {@code maxKeys} keys of state per operator.
     *
     * @throws IllegalArgumentException if {@code maxKeys <= 0}
     */
    public OperatorOptions withMaxKeys(int maxKeys) {
        if (maxKeys <= 0) {
            throw new IllegalArgumentException("maxKeys <= 0: " + maxKeys);
        }
        return new OperatorOptions(clock, scheduler, maxKeys, idleEviction, freshState);
    }

    /**
     * With keys forgotten once not seen for {@code idle} (clock time, or event time for {@link Series} readers).
     *
     * @throws IllegalArgumentException if {@code idle} is not positive
     */
    public OperatorOptions withIdleEviction(Duration idle) {
        return new OperatorOptions(clock, scheduler, maxKeys, Checks.positive(idle, "idleEviction"), freshState);
    }

    /** With state that starts empty in every instance instead of surviving a manager restart. */
    public OperatorOptions withFreshState() {
        return new OperatorOptions(clock, scheduler, maxKeys, idleEviction, true);
    }

    /** With state kept across manager restarts (the default). */
    public OperatorOptions withRetainedState() {
        return new OperatorOptions(clock, scheduler, maxKeys, idleEviction, false);
    }

    public Clock clock() {
        return clock;
    }

    public Optional<ScheduledExecutorService> scheduler() {
        return Optional.ofNullable(scheduler);
    }

    public int maxKeys() {
        return maxKeys;
    }

    public Duration idleEviction() {
        return idleEviction;
    }

    public boolean freshState() {
        return freshState;
    }

    ScheduledExecutorService requireScheduler(String operator) {
        if (scheduler == null) {
            throw new IllegalArgumentException("operator '" + operator
                    + "' needs a scheduler: OperatorOptions.withScheduler(...)");
        }
        return scheduler;
    }

    @Override
    public String toString() {
        return "OperatorOptions[clock=" + clock + ", scheduler=" + (scheduler != null) + ", maxKeys=" + maxKeys
                + ", idleEviction=" + idleEviction + ", freshState=" + freshState + "]";
    }
}
