package io.pipeline.sources;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential reconnect delays with jitter: {@code initial * 2^(attempt-1)}, capped at {@code max}, each scaled by
 * a random factor in {@code [1 - jitter, 1 + jitter]}. Immutable and safe for concurrent use (given a
 * thread-safe random generator).
 */
record Backoff(Duration initial, Duration max, double jitter) {
    /** The jitter of the streaming sources' reconnect backoff: ±20 %, so that clients do not reconnect in step. */
    static final double RECONNECT_JITTER = 0.2;

    Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative()) {
            throw new IllegalArgumentException("initial backoff < 0: " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " < initial " + initial);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be within [0, 1]: " + jitter);
        }
    }

    /**
     * The reconnect backoff of a streaming source, jittered by {@link #RECONNECT_JITTER}.
     *
     * @throws IllegalArgumentException if {@code initial} is negative or {@code max} is less than it
     */
    static Backoff jittered(Duration initial, Duration max) {
        return new Backoff(initial, max, RECONNECT_JITTER);
    }

    /** The delay before attempt number {@code attempt} (1-based). */
    Duration delay(int attempt, RandomGenerator random) {
        long base = initial.toNanos();
        long cap = max.toNanos();
        for (int i = 1; i < attempt && base < cap; i++) {
            base = base > cap / 2 ? cap : base * 2;
        }
        base = Math.min(base, cap);
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        return Duration.ofNanos((long) (base * factor));
    }
}
