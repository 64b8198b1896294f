package io.pipeline.operators;

import java.time.Duration;
import java.util.Objects;

/**
 * A trailing window that moves with every value: the last {@code n} values of a key ({@link #count(int)}), or the
 * values of a key whose event time lies in {@code (newest − size, newest]} ({@link #time(Duration)}: the start is
 * exclusive, the newest value's time inclusive). Rolling operators ({@link RollingStats}, {@link Trend},
 * {@link AnomalyDetector}) emit one result per value over such a window.
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public final class Rolling {
    private final int count;
    private final Duration size;

    private Rolling(int count, Duration size) {
        this.count = count;
        this.size = size;
    }

    /**
     * The last {@code n} values.
     *
     * @throws IllegalArgumentException if {@code n <= 0}
     */
    public static Rolling count(int n) {
        return new Rolling(Checks.positive(n, "rolling window size"), null);
    }

    /**
     * The values of the last {@code size} of event time.
     *
     * @throws IllegalArgumentException if {@code size} is not positive
     */
    public static Rolling time(Duration size) {
        return new Rolling(0, Checks.positive(size, "rolling window size"));
    }

    /** Whether this window is a number of values rather than a span of time. */
    public boolean isCount() {
        return size == null;
    }

    /** The number of values of a count window; 0 for a time window. */
    public int count() {
        return count;
    }

    /** The span of a time window; {@link Duration#ZERO} for a count window. */
    public Duration size() {
        return size == null ? Duration.ZERO : size;
    }

    long sizeNanos() {
        return size == null ? 0 : size.toNanos();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rolling other && count == other.count && Objects.equals(size, other.size);
    }

    @Override
    public int hashCode() {
        return 31 * count + Objects.hashCode(size);
    }

    @Override
    public String toString() {
        return size == null ? "Rolling.count(" + count + ")" : "Rolling.time(" + size + ")";
    }
}
