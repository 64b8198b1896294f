package io.pipeline.operators;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** Argument checks with the bad value in the message, and event-time conversions. */
final class Checks {
    private Checks() {
    }

    static Duration positive(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + value);
        }
        nanos(value, what);
        return value;
    }

    /** A positive duration of at least a millisecond, the resolution of clock-time operators. */
    static Duration positiveMillis(Duration value, String what) {
        positive(value, what);
        if (value.toMillis() == 0) {
            throw new IllegalArgumentException(what + " must be at least 1 ms: " + value);
        }
        return value;
    }

    static Duration notNegative(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + value);
        }
        nanos(value, what);
        return value;
    }

    static int positive(int value, String what) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive: " + value);
        }
        return value;
    }

    static double finite(double value, String what) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(what + " must be finite: " + value);
        }
        return value;
    }

    /** {@code value} in nanoseconds; durations beyond ±292 years are refused. */
    static long nanos(Duration value, String what) {
        try {
            return value.toNanos();
        } catch (ArithmeticException tooLong) {
            throw new IllegalArgumentException(what + " is too long (at most 292 years): " + value, tooLong);
        }
    }

    /**
     * An instant as nanoseconds since the epoch (years 1678 to 2262).
     *
     * @throws ArithmeticException outside that range
     */
    static long epochNanos(Instant time) {
        return Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000_000L), time.getNano());
    }

    static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }
}
