package io.pipeline.examples.env;

import java.util.List;
import java.util.Locale;

/** The two Open-Meteo APIs polled for each location, and the sensors each one answers for. */
enum Feed {
    /** Current weather: {@code GET /v1/forecast}. */
    WEATHER("https://api.open-meteo.com", "/v1/forecast"),
    /** Current air quality: {@code GET /v1/air-quality}. */
    AIR_QUALITY("https://air-quality-api.open-meteo.com", "/v1/air-quality");

    private final String liveBaseUrl;
    private final String path;

    Feed(String liveBaseUrl, String path) {
        this.liveBaseUrl = liveBaseUrl;
        this.path = path;
    }

    /** The public API's base URL. */
    String liveBaseUrl() {
        return liveBaseUrl;
    }

    /** The path under a base URL, e.g. {@code /v1/forecast}. */
    String path() {
        return path;
    }

    /** {@code weather} or {@code air_quality}: the id used in manager names, JSON and staleness alerts. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The sensors this feed reports, in the order of its {@code current} parameter. */
    List<Sensor> sensors() {
        return Sensor.of(this);
    }
}
