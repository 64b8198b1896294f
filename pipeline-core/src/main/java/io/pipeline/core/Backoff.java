package io.pipeline.core;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: the one delay algorithm of this library, used by {@link RestartPolicy} between
 * manager restarts and by the streaming sources between reconnects.
 *
 * <p>The delay before attempt {@code n} (1-based) is {@code min × multiplier^(n-1)}, capped at {@code max}, then
 * stretched by a random share of up to {@code jitter} of itself (so it lies in {@code [base, base × (1 + jitter)]}
 * and may exceed {@code max} by that share). Arithmetic saturates: durations up to
 * {@link java.time.temporal.ChronoUnit#FOREVER} and any attempt number give a delay, never an exception.
 *
 * <pre>{@code
 * Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(1)).withJitter(0.1);
 * Duration wait = backoff.delay(attempt, random);
 * }</pre>
 *
 * <p>Instances are immutable and safe for concurrent use; {@link #delay} is as thread-safe as the
 * {@link RandomGenerator} passed to it.
 */
public final class Backoff {
    /** The jitter of {@link #exponential(Duration, Duration)}: up to 20 % added, so that peers do not act in step. */
    public static final double DEFAULT_JITTER = 0.2;
    /** The multiplier of {@link #exponential(Duration, Duration)}: each wait doubles. */
    public static final double DEFAULT_MULTIPLIER = 2.0;

    private final Duration min;
    private final Duration max;
    private final double multiplier;
    private final double jitter;

    private Backoff(Duration min, Duration max, double multiplier, double jitter) {
        this.min = min;
        this.max = max;
        this.multiplier = multiplier;
        this.jitter = jitter;
    }

    /**
     * Doubles from {@code min} to {@code max}, with {@value #DEFAULT_JITTER} jitter.
     *
     * @throws IllegalArgumentException if {@code min} is not positive or {@code max} is below {@code min}
     */
    public static Backoff exponential(Duration min, Duration max) {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        if (min.isNegative() || min.isZero()) {
            throw new IllegalArgumentException("backoff min must be positive: " + min);
        }
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("backoff max " + max + " < min " + min);
        }
        return new Backoff(min, max, DEFAULT_MULTIPLIER, DEFAULT_JITTER);
    }

    /**
     * The same backoff with each wait multiplied by {@code multiplier} (at least 1; 1 means a constant wait).
     *
     * @throws IllegalArgumentException if {@code multiplier} is below 1, infinite or NaN
     */
    public Backoff withMultiplier(double multiplier) {
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("backoff multiplier must be a finite number >= 1: " + multiplier);
        }
        return new Backoff(min, max, multiplier, jitter);
    }

    /**
     * The same backoff with up to {@code jitter} of each wait added at random, from 0 (none) to 1.
     *
     * @throws IllegalArgumentException if outside [0, 1]
     */
    public Backoff withJitter(double jitter) {
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("backoff jitter must be within [0, 1]: " + jitter);
        }
        return new Backoff(min, max, multiplier, jitter);
    }

    /** The first wait. */
    public Duration min() {
        return min;
    }

    /** The longest wait before jitter. */
    public Duration max() {
        return max;
    }

    /** The factor between consecutive waits. */
    public double multiplier() {
        return multiplier;
    }

    /** The largest share of a wait added at random. */
    public double jitter() {
        return jitter;
    }

    /**
     * The wait before attempt number {@code attempt}, counted from 1; attempts below 1 count as 1.
     *
     * @param random the source of jitter; one {@code nextDouble()} is drawn when jitter is above 0
     */
    public Duration delay(int attempt, RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        double base = baseNanos(attempt);
        double jittered = jitter == 0 ? base : base * (1 + jitter * share(random.nextDouble()));
        return saturatedNanos(jittered);
    }

    /**
     * A draw forced into [0, 1]: a generator outside its contract (NaN, negative, above 1) must not shorten a wait
     * below {@code min} — a zero wait would rebuild a failing manager in a busy loop — nor stretch it unboundedly.
     */
    private static double share(double draw) {
        if (!(draw >= 0)) {
            return 0; // NaN and negatives
        }
        return Math.min(draw, 1);
    }

    /** {@code min × multiplier^(attempt-1)} capped at {@code max}, in nanoseconds (saturated). */
    private double baseNanos(int attempt) {
        double minNanos = nanos(min);
        double maxNanos = nanos(max);
        if (multiplier == 1 || attempt <= 1) {
            return Math.min(minNanos, maxNanos); // constant: no loop of `attempt` rounds that never reaches max
        }
        double base = minNanos;
        for (int i = 1; i < attempt && base < maxNanos; i++) {
            base *= multiplier;
        }
        return Math.min(base, maxNanos);
    }

    private static double nanos(Duration duration) {
        return Math.min(Long.MAX_VALUE, duration.getSeconds() * 1e9 + duration.getNano());
    }

    private static Duration saturatedNanos(double nanos) {
        if (nanos >= Long.MAX_VALUE) {
            return Duration.ofNanos(Long.MAX_VALUE);
        }
        return Duration.ofNanos((long) nanos);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Backoff that && min.equals(that.min) && max.equals(that.max)
                && multiplier == that.multiplier && jitter == that.jitter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(min, max, multiplier, jitter);
    }

    @Override
    public String toString() {
        return "Backoff[min=" + min + ", max=" + max + ", multiplier=" + multiplier + ", jitter=" + jitter + "]";
    }
}
