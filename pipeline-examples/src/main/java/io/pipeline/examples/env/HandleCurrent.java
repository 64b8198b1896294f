package io.pipeline.examples.env;

import com.fasterxml.jackson.databind.JsonNode;
import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.sources.RestSource;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads the {@code current} block of an Open-Meteo response into one {@link Reading} per sensor of the feed.
 * Repeats of the same {@code current.time} (the APIs update every 15 minutes; polling more often returns the same
 * values) are left to the {@code dedup} step of the {@link Analytics} chain.
 *
 * <pre>{@code {"current": {"time": "2026-12-01T10:15", "interval": 900, "pm2_5": 8.1, ...},
 *  "current_units": {"pm2_5": "μg/m³", ...}}}</pre>
 *
 * <p>A body without {@code current}, or with a {@code time} that is not an ISO local date-time, is an
 * {@link #ERROR}; a sensor whose value is missing or {@code null} (air quality is not modelled everywhere) is
 * left out. This class is thread-safe.
 */
final class HandleCurrent extends Processor {
    static final Event<Reading> READING = Event.of("reading", Reading.class);

    private final Location location;
    private final Feed feed;

    HandleCurrent(String name, MessageHandler handler, Location location, Feed feed) {
        super(name, handler);
        this.location = Objects.requireNonNull(location, "location");
        this.feed = Objects.requireNonNull(feed, "feed");
    }

    /** Emits the readings of one polled response, or an {@link #ERROR} saying why there are none. */
    void handle(RestSource.Poll poll) {
        List<Reading> readings;
        try {
            readings = parse(location, feed, poll.body());
        } catch (IllegalArgumentException e) {
            emit(ERROR, e);
            return;
        }
        readings.forEach(reading -> emit(READING, reading));
    }

    /**
     * The readings in one response.
     *
     * @throws IllegalArgumentException if it has no {@code current} object or no valid {@code current.time}
     */
    static List<Reading> parse(Location location, Feed feed, JsonNode body) {
        JsonNode current = body.path("current");
        if (!current.isObject()) {
            String reason = body.path("reason").asText("");
            throw new IllegalArgumentException(location.name() + " " + feed.id() + ": the response has no 'current'"
                    + " object" + (reason.isEmpty() ? "" : ": " + reason));
        }
        Instant time;
        try {
            time = LocalDateTime.parse(current.path("time").asText("")).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(location.name() + " " + feed.id() + ": current.time is not an ISO "
                    + "local date-time: " + current.path("time"));
        }
        JsonNode units = body.path("current_units");
        List<Reading> readings = new ArrayList<>(3);
        for (Sensor sensor : feed.sensors()) {
            JsonNode value = current.path(sensor.id());
            if (value.isNumber() && Double.isFinite(value.doubleValue())) {
                readings.add(new Reading(time, location.name(), sensor.id(), value.doubleValue(),
                        units.path(sensor.id()).asText(sensor.unit())));
            }
        }
        return readings;
    }
}
