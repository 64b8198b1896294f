package io.pipeline.sources.output;

import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;

/** Turns values into what the CSV writer accepts: numbers, booleans, strings, or null. */
final class Values {
    private Values() {}

    /**
     * {@code value} as a CSV cell: strings, numbers and booleans as they are; {@code java.time} values by their
     * ISO-8601 {@code toString()} ({@code Instant} in UTC: {@code 2026-11-21T10:15:30Z}); enums by name; anything
     * else by {@code toString()}.
     */
    static Object cell(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof TemporalAccessor || value instanceof TemporalAmount) {
            return value.toString();
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        return value.toString();
    }
}
