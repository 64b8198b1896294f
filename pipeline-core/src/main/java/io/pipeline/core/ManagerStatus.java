package io.pipeline.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one manager of a {@link Flow}, for health checks and monitoring.
 *
 * @param name          the manager's name
 * @param state         where the flow stands with it
 * @param restarts      how many times it has been rebuilt
 * @param lastError     its latest failure, if any
 * @param lastErrorTime when that failure was handled, if any
 */
public record ManagerStatus(String name, ManagerState state, int restarts, Optional<Throwable> lastError,
                            Optional<Instant> lastErrorTime) {
    /** Validates the components. */
    public ManagerStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(lastErrorTime, "lastErrorTime");
    }

    /** Whether the flow has given up on this manager after a failure. */
    public boolean isFailed() {
        return state == ManagerState.FAILED;
    }
}
