package io.pipeline.operators;

import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * How to read a keyed time series out of a payload: its key (a location, a sensor, a symbol), its event time and
 * its numeric value. Operators that keep state per key and per time take one.
 *
 * <pre>{@code
 * Series<Reading> temperature = Series.of(Reading::sensor, Reading::time, Reading::celsius);
 * Series<Quote> price = Series.unkeyed(Quote::time, Quote::price);
 * }</pre>
 *
 * <p>The functions are called on the thread that delivers payloads to the operator; they must be fast and free
 * of side effects. A null key or time, or a NaN or infinite value, makes the operator emit a
 * {@link BadInputException} as its {@code ERROR} instead of using the payload. Instances are immutable.
 *
 * @param key the key of a payload; never null for a valid payload
 * @param time the event time of a payload, carried by the payload itself
 * @param value the value of a payload
 * @param <T> the payload type
 */
public record Series<T>(Function<? super T, ?> key, Function<? super T, Instant> time, ToDoubleFunction<? super T> value) {
    /** The key of every payload of an unkeyed series. */
    public static final String ALL = "all";

    public Series {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(value, "value");
    }

    /** A keyed series. */
    public static <T> Series<T> of(Function<? super T, ?> key, Function<? super T, Instant> time,
            ToDoubleFunction<? super T> value) {
        return new Series<>(key, time, value);
    }

    /** A series with one key, {@link #ALL}. */
    public static <T> Series<T> unkeyed(Function<? super T, Instant> time, ToDoubleFunction<? super T> value) {
        return new Series<>(payload -> ALL, time, value);
    }
}
