package io.pipeline.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a {@link Flow} builds a fresh manager after one failed or finished.
 *
 * <p>{@link #backoff(Duration, Duration)} waits {@code min} before the first restart and doubles the wait after
 * each further one, up to {@code max}; each wait is stretched by a random share of up to {@code randomFactor}
 * (default 0.2) so that managers failing together do not restart in lock step — the wait may therefore exceed
 * {@code max} by that share. A manager that ran healthily for {@link #resetAfter()} before failing starts
 * again from {@code min}. {@link #withMaxRestarts(int, Duration)} gives up on a manager restarted that many
 * times within the window; the rest of the flow runs on. The waits are computed by {@link Backoff}, the one
 * backoff algorithm of this library.
 *
 * <p>Only failures grow the wait and count towards the limit. A manager whose source <em>finished normally</em>
 * (a {@link TimeSource} after its tick, a bounded backfill) is rebuilt after the first wait ({@code min}, plus
 * jitter) every time, without limit: a one-minute {@code TimeSource} under the default policy ticks every minute,
 * forever.
 *
 * <p>Durations may be as long as {@link java.time.temporal.ChronoUnit#FOREVER}: the arithmetic saturates.
 *
 * <pre>{@code
 * RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1))
 *     .withRandomFactor(0.1)
 *     .withMaxRestarts(10, Duration.ofMinutes(5));
 * }</pre>
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public final class RestartPolicy {
    private static final double DEFAULT_RANDOM_FACTOR = 0.2;
    private static final RestartPolicy NEVER = new RestartPolicy(false, Duration.ZERO, Duration.ZERO, 0, -1, null, null);

    private final boolean restarts;
    private final Duration min;
    private final Duration max;
    private final double randomFactor;
    private final int maxRestarts;
    private final Duration within;
    private final Duration resetAfter;
    /** The delays; {@code null} for {@link #never()}. */
    private final Backoff backoff;

    private RestartPolicy(boolean restarts, Duration min, Duration max, double randomFactor, int maxRestarts,
                          Duration within, Duration resetAfter) {
        this.restarts = restarts;
        this.min = min;
        this.max = max;
        this.randomFactor = randomFactor;
        this.backoff = restarts ? Backoff.exponential(min, max).withJitter(randomFactor) : null;
        this.maxRestarts = maxRestarts;
        this.within = within;
        this.resetAfter = resetAfter;
    }

    /** Never restarts: a failed or finished manager stays down. */
    public static RestartPolicy never() {
        return NEVER;
    }

    /**
     * Restarts with exponential backoff between {@code min} and {@code max}, without limit.
     *
     * @throws IllegalArgumentException if {@code min} is not positive (a zero wait would rebuild a failing manager
     *                                  in a busy loop) or {@code max} is below {@code min}
     */
    public static RestartPolicy backoff(Duration min, Duration max) {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        if (min.isNegative()) {
            throw new IllegalArgumentException("min < 0: " + min);
        }
        if (min.isZero()) {
            throw new IllegalArgumentException(
                    "min must be positive (a zero wait would rebuild a failing manager in a busy loop): " + min);
        }
        if (max.compareTo(min) < 0 || max.isZero()) {
            throw new IllegalArgumentException("max must be > 0 and >= min (" + min + "): " + max);
        }
        return new RestartPolicy(true, min, max, DEFAULT_RANDOM_FACTOR, -1, null, max);
    }

    /**
     * The share of each wait added at random, from 0 (no jitter) to 1.
     *
     * @throws IllegalArgumentException if outside [0, 1]
     * @throws IllegalStateException on {@link #never()}
     */
    public RestartPolicy withRandomFactor(double randomFactor) {
        if (!(randomFactor >= 0 && randomFactor <= 1)) {
            throw new IllegalArgumentException("randomFactor must be within [0, 1]: " + randomFactor);
        }
        requireRestarts("withRandomFactor");
        return new RestartPolicy(true, min, max, randomFactor, maxRestarts, within, resetAfter);
    }

    /**
     * Gives up on a manager once it has been restarted {@code maxRestarts} times within {@code within}.
     *
     * @throws IllegalArgumentException if {@code maxRestarts} is negative or {@code within} is not positive
     * @throws IllegalStateException on {@link #never()}
     */
    public RestartPolicy withMaxRestarts(int maxRestarts, Duration within) {
        Objects.requireNonNull(within, "within");
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts < 0: " + maxRestarts);
        }
        if (within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("within must be positive: " + within);
        }
        requireRestarts("withMaxRestarts");
        return new RestartPolicy(true, min, max, randomFactor, maxRestarts, within, resetAfter);
    }

    /**
     * How long a manager must run before a failure counts as a first failure again (backoff back to
     * {@code min}). Default: {@code max}.
     *
     * @throws IllegalArgumentException if negative
     * @throws IllegalStateException on {@link #never()}
     */
    public RestartPolicy withResetAfter(Duration resetAfter) {
        Objects.requireNonNull(resetAfter, "resetAfter");
        if (resetAfter.isNegative()) {
            throw new IllegalArgumentException("resetAfter < 0: " + resetAfter);
        }
        requireRestarts("withResetAfter");
        return new RestartPolicy(true, min, max, randomFactor, maxRestarts, within, resetAfter);
    }

    private void requireRestarts(String method) {
        if (!restarts) {
            throw new IllegalStateException(method + " does not apply to RestartPolicy.never()");
        }
    }

    /** Whether this policy ever restarts. */
    public boolean restarts() {
        return restarts;
    }

    /** The first wait. */
    public Duration min() {
        return min;
    }

    /** The longest wait before jitter. */
    public Duration max() {
        return max;
    }

    /** The share of each wait added at random. */
    public double randomFactor() {
        return randomFactor;
    }

    /** The restart limit within {@link #window()}, if any. */
    public Optional<Integer> maxRestarts() {
        return maxRestarts < 0 ? Optional.empty() : Optional.of(maxRestarts);
    }

    /** The window {@link #maxRestarts()} counts in, if any. */
    public Optional<Duration> window() {
        return Optional.ofNullable(within);
    }

    /** How long a healthy run resets the backoff. */
    public Duration resetAfter() {
        return resetAfter == null ? Duration.ZERO : resetAfter;
    }

    /**
     * The wait before restart number {@code attempt} (1 for the first after a healthy run), given a uniform
     * random number in [0, 1).
     */
    Duration delay(int attempt, double random) {
        return delay(attempt, new FixedDouble(random));
    }

    /** The wait before restart number {@code attempt}, its jitter drawn from {@code random}. */
    Duration delay(int attempt, RandomGenerator random) {
        if (backoff == null) {
            throw new IllegalStateException("RestartPolicy.never() has no delay");
        }
        return backoff.delay(attempt, random);
    }

    /** A "random" source that always draws the same double: the given jitter share. */
    private record FixedDouble(double value) implements RandomGenerator {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("only nextDouble() is drawn");
        }

        @Override
        public double nextDouble() {
            return value;
        }
    }

    /** Whether {@code restartsInWindow} restarts already used up the limit. */
    boolean exhausted(int restartsInWindow) {
        return maxRestarts >= 0 && restartsInWindow >= maxRestarts;
    }

    @Override
    public String toString() {
        if (!restarts) {
            return "RestartPolicy.never()";
        }
        return "RestartPolicy.backoff(" + min + ", " + max + ", randomFactor=" + randomFactor
                + (maxRestarts >= 0 ? ", maxRestarts=" + maxRestarts + " within " + within : "") + ")";
    }
}
