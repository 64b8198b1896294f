package io.pipeline.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A source that has produced nothing for longer than the flow's stall watchdog allows: found by the watchdog of
 * a {@link Flow}, reported to {@link ErrorReporter#stalled(SourceStall)}, carried by a
 * {@link SourceStalledException}. Instances are immutable and safe for concurrent use.
 *
 * @param manager          the source's manager
 * @param source           the source's name
 * @param expectedInterval how often the source said it would produce ({@link Source#expectedInterval()})
 * @param silence          how long it has produced nothing (since its last emit, or since its manager started)
 * @param time             when the watchdog found it, on the flow's clock
 */
public record SourceStall(String manager, String source, Duration expectedInterval, Duration silence,
                          Instant time) {
    /** Validates the components. */
    public SourceStall {
        Objects.requireNonNull(manager, "manager");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(expectedInterval, "expectedInterval");
        Objects.requireNonNull(silence, "silence");
        Objects.requireNonNull(time, "time");
    }

    /** One sentence for logs and health details. */
    public String describe() {
        return "source '" + source + "' of manager '" + manager + "' stalled: nothing emitted for " + silence
                + " (expects data every " + expectedInterval + ")";
    }
}
