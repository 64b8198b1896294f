package io.pipeline.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one source reports of itself, part of {@link ManagerMetrics}. Instances are immutable and safe for
 * concurrent use.
 *
 * @param name             the source's name
 * @param counters         its own counters ({@link Source#counter(String)}), by name, sorted
 * @param expectedInterval how often it expects to produce data ({@link Source#expectedInterval()}), if it says
 * @param lastEmit         when it last emitted, on the flow's clock, if it has (as the flow saw it, see
 *                         {@link ManagerMetrics#lastMessage()})
 * @param stalled          whether the stall watchdog finds it stalled now
 */
public record SourceMetrics(String name, Map<String, Long> counters, Optional<Duration> expectedInterval,
                            Optional<Instant> lastEmit, boolean stalled) {
    /** Validates and copies the components. */
    public SourceMetrics {
        Objects.requireNonNull(name, "name");
        counters = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(counters));
        Objects.requireNonNull(expectedInterval, "expectedInterval");
        Objects.requireNonNull(lastEmit, "lastEmit");
    }

    /** The value of counter {@code name}, 0 if the source never created it. */
    public long counter(String name) {
        return counters.getOrDefault(Objects.requireNonNull(name, "name"), 0L);
    }
}
