package io.pipeline.sources;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks shared by the sources' {@code Options}: each names the option and quotes the bad value.
 * Stateless.
 */
final class Checks {
    private Checks() {}

    /** {@code value}, if it is more than zero; the message reads {@code "<what> must be positive: <value>"}. */
    static Duration positive(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + value);
        }
        return value;
    }

    /** {@code value}, if it is zero or more; the message reads {@code "<what> < 0: <value>"}. */
    static Duration nonNegative(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isNegative()) {
            throw new IllegalArgumentException(what + " < 0: " + value);
        }
        return value;
    }

    /** {@code value}, if it is more than zero; the message reads {@code "<what> <= 0: <value>"}. */
    static long positive(long value, String what) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " <= 0: " + value);
        }
        return value;
    }

    /** {@code value}, if it is more than zero; the message reads {@code "<what> <= 0: <value>"}. */
    static int positive(int value, String what) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " <= 0: " + value);
        }
        return value;
    }

    /** {@code value}, if it is zero or more; the message reads {@code "<what> < 0: <value>"}. */
    static long nonNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " < 0: " + value);
        }
        return value;
    }
}
