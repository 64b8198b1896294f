package io.pipeline.examples.env;

import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.output.JsonLinesOutput;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;

/**
 * Wires the pipeline of one feed of one location: a {@link RestSource} polling Open-Meteo's {@code current}
 * values → {@link HandleCurrent} → the history file and the {@link Analytics} every location shares.
 *
 * <pre>
 * source --DATA--> current --READING--> history (JSON lines), analytics
 *    \--ERROR--> console  \--ERROR--> console
 * </pre>
 *
 * <p>The history file and the analytics outlive this manager's restarts; whoever created them closes them.
 * This class is thread-safe.
 */
final class OpenMeteoManager extends Manager {
    OpenMeteoManager(MessageHandler handler, Location location, Feed feed, String baseUrl, RestSource.Options options,
                     Map<String, Instant> lastTimes, JsonLinesOutput<Reading> history, Analytics analytics,
                     MonitorConsole console) {
        super(managerName(location, feed), handler);
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(analytics, "analytics");
        RestSource source = new RestSource(processorName("source"), handler, url(baseUrl, feed, location), options);
        HandleCurrent current = new HandleCurrent(processorName("current"), handler, location, feed, lastTimes);

        source.on(RestSource.DATA, current::handle);
        current.on(HandleCurrent.READING, history::write);
        current.on(HandleCurrent.READING, analytics::accept);
        source.on(Processor.ERROR, error -> console.error(location.name() + " " + feed.id(), error));
        current.on(Processor.ERROR, error -> console.error(location.name() + " " + feed.id(), error));
        setSource(source);
    }

    /** {@code weather-berlin}, {@code air_quality-berlin}. */
    static String managerName(Location location, Feed feed) {
        return feed.id() + "-" + location.key();
    }

    /**
     * The URL of {@code feed}'s current values at {@code location} on the server at {@code baseUrl} (whose own path,
     * if any, is kept), exactly as Open-Meteo documents it.
     *
     * @throws IllegalArgumentException if {@code baseUrl} is not an http or https URL
     */
    static String url(String baseUrl, Feed feed, Location location) {
        HttpUrl base = HttpUrl.parse(Objects.requireNonNull(baseUrl, "baseUrl"));
        if (base == null) {
            throw new IllegalArgumentException("not an http or https URL: " + baseUrl);
        }
        return base.newBuilder()
                .addPathSegments(feed.path().substring(1))
                .query(null)
                .addQueryParameter("latitude", coordinate(location.latitude()))
                .addQueryParameter("longitude", coordinate(location.longitude()))
                .addEncodedQueryParameter("current", feed.sensors().stream().map(Sensor::id)
                        .collect(Collectors.joining(",")))
                .addQueryParameter("timezone", "UTC")
                .build()
                .toString();
    }

    private static String coordinate(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
