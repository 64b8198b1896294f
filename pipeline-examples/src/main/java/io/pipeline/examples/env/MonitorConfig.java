package io.pipeline.examples.env;

import io.pipeline.core.RestartPolicy;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Monitor} runs.
 *
 * @param locations          the places monitored, two managers (weather, air quality) each
 * @param interval           the time between polls of one feed of one location
 * @param history            the JSON Lines file every reading is appended to, and read back at start
 * @param live               poll the public Open-Meteo APIs
 * @param baseUrl            poll this server for both feeds; {@code null} with {@code live} false starts the
 *                           embedded simulator
 * @param host               the address the page is served on
 * @param port               the page's port; 0 for any free one
 * @param thresholds         the alert rules
 * @param staleAfter         a feed with no new reading for longer is reported stale
 * @param seed               the simulator's seed
 * @param exceptionThreshold failed polls in a row after which a feed's manager is restarted
 * @param restartPolicy      when failed managers are rebuilt
 * @param clock              stamps polls, staleness and the console's lines
 */
record MonitorConfig(List<Location> locations, Duration interval, Path history, boolean live, String baseUrl,
                     InetAddress host, int port, List<Threshold> thresholds, Duration staleAfter, long seed,
                     int exceptionThreshold, RestartPolicy restartPolicy, Clock clock) {
    MonitorConfig {
        locations = List.copyOf(locations);
        if (locations.isEmpty()) {
            throw new IllegalArgumentException("no locations");
        }
        thresholds = List.copyOf(thresholds);
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(staleAfter, "staleAfter");
        Objects.requireNonNull(restartPolicy, "restartPolicy");
        Objects.requireNonNull(clock, "clock");
    }

    /** Whether the embedded simulator is polled. */
    boolean embedded() {
        return !live && baseUrl == null;
    }

    /** The base URL of {@code feed}: the public API's with {@code live}, else {@code baseUrl} (null when embedded). */
    String baseUrl(Feed feed) {
        return live ? feed.liveBaseUrl() : baseUrl;
    }
}
