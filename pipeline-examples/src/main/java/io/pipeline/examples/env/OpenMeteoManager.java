package io.pipeline.examples.env;

import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.sources.RestSource;
import io.pipeline.operators.Chain;
import io.pipeline.operators.OperatorOptions;
import io.pipeline.operators.Operators;
import io.pipeline.sources.output.JsonLinesOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;

/**
 * Wires the pipeline of one location: two {@link RestSource}s (fan-in: {@link #addSource}) polling Open-Meteo's
 * current weather and air quality, each into its {@link HandleCurrent}, merged into one chain of readings that is
 * deduplicated and analysed by the {@link Analytics} ({@code pipeline-operators}); the deduplicated readings go to
 * the history file every location shares.
 *
 * <pre>
 * weather-source     --DATA--> weather-current     --READING--\
 *                                                             merge → dedup → history (JSON lines)
 * air_quality-source --DATA--> air_quality-current --READING--/            \→ analytics → sink
 * (every ERROR → console)
 * </pre>
 *
 * <p>One manager per location rather than per feed: both feeds of a place feed one chain, so its staleness,
 * statistics and alerts live in one place. The price of fan-in is that a feed failing for good (its
 * {@code RestSource} reached the exception threshold) restarts the other feed of the location with it; the
 * operators keep their state across the restart.
 *
 * <p>The history file and the sink outlive this manager's restarts; whoever created them closes them. This class
 * is thread-safe.
 */
final class OpenMeteoManager extends Manager {
    OpenMeteoManager(MessageHandler handler, Location location, java.util.function.Function<Feed, String> baseUrls,
                     RestSource.Options options, OperatorOptions operatorOptions, Analytics.Settings settings,
                     JsonLinesOutput<Reading> history, Analytics.Sink sink, MonitorConsole console) {
        super(managerName(location), handler);
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(console, "console");
        Operators ops = closeOnStop(Operators.in(handler, this::processorName, operatorOptions));
        List<Chain<Reading>> feeds = new ArrayList<>();
        for (Feed feed : Feed.values()) {
            String what = location.name() + " " + feed.id();
            RestSource source = new RestSource(processorName(feed.id() + "-source"), handler,
                    url(baseUrls.apply(feed), feed, location), options);
            HandleCurrent current = new HandleCurrent(processorName(feed.id() + "-current"), handler, location, feed);
            source.on(RestSource.DATA, current::handle);
            source.on(Processor.ERROR, error -> console.error(what, error));
            current.on(Processor.ERROR, error -> console.error(what, error));
            feeds.add(ops.from(current, HandleCurrent.READING));
            if (feed.ordinal() == 0) {
                setSource(source);
            } else {
                addSource(source);
            }
        }
        ops.onErrors(error -> console.error(location.name() + " analytics", error));
        @SuppressWarnings("unchecked")
        Chain<Reading>[] inputs = feeds.toArray(Chain[]::new);
        Analytics.build(ops, settings, sink, inputs).to(history::write);
    }

    /** {@code env-berlin}: the manager of one location. */
    static String managerName(Location location) {
        return "env-" + location.key();
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
