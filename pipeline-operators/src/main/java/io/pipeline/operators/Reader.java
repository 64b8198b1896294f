package io.pipeline.operators;

import java.time.Instant;

/**
 * Reads one payload's key, time and value through a {@link Series} into fields, or says what is wrong with it.
 * A mutable scratch object of one operator, so that reading allocates nothing. Not thread-safe.
 */
final class Reader<T> {
    private final Series<T> series;
    Object key;
    Instant time;
    long nanos;
    double value;

    Reader(Series<T> series) {
        this.series = series;
    }

    /** Reads {@code payload}; returns null when it is usable, otherwise the problem. */
    String read(T payload) {
        key = series.key().apply(payload);
        if (key == null) {
            return "key is null";
        }
        return readTimeAndValue(payload);
    }

    String readTimeAndValue(T payload) {
        value = series.value().applyAsDouble(payload);
        if (!Double.isFinite(value)) {
            return "value is " + value;
        }
        return readTime(series.time().apply(payload));
    }

    String readTime(Instant t) {
        time = t;
        if (t == null) {
            return "time is null";
        }
        try {
            nanos = Checks.epochNanos(t);
        } catch (ArithmeticException outOfRange) {
            return "time is out of range (years 1678 to 2262): " + t;
        }
        return null;
    }
}
