package io.pipeline.examples.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import io.pipeline.operators.Series;
import io.pipeline.sources.RestSource;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * One temperature reading of a location, parsed from an Open-Meteo {@code current} block
 * ({@code {"current": {"time": "2026-03-01T10:15", "temperature_2m": 4.2}}}, times in UTC).
 */
public record Reading(String location, Instant time, double celsius) {
    /** Location, time and temperature, for the operators. */
    public static final Series<Reading> TEMPERATURE = Series.of(Reading::location, Reading::time, Reading::celsius);

    /** The reading in {@code poll}, or null when the body has none (a mapper's null emits nothing). */
    public static Reading from(String location, RestSource.Poll poll) {
        JsonNode current = poll.body().path("current");
        JsonNode time = current.path("time");
        JsonNode temperature = current.path("temperature_2m");
        if (!time.isTextual() || !temperature.isNumber()) {
            return null;
        }
        try {
            return new Reading(location, LocalDateTime.parse(time.asText()).toInstant(ZoneOffset.UTC),
                    temperature.asDouble());
        } catch (DateTimeParseException badTime) {
            return null;
        }
    }
}
