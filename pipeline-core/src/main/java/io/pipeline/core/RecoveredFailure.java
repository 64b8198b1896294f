package io.pipeline.core;

import java.util.Objects;

/**
 * A failure the emitting processor has already recovered from by itself — a failed poll it will retry, a dropped
 * stream it reconnects — emitted as its {@link Processor#ERROR} so that listeners can see and count it.
 *
 * <p>Unlike any other error event, a {@code RecoveredFailure} nobody listens to is <em>not</em> uncaught: it is
 * counted as a dead event and does not fail the manager. A source that can no longer recover (for example after
 * too many failures in a row) fails its own future instead, and the {@link Flow} restarts the manager.
 *
 * <p>The {@link #getCause() cause} is the original failure. Instances are immutable once constructed.
 */
public class RecoveredFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Wraps {@code cause}.
     *
     * @param message what failed and what the processor does about it (e.g. "poll failed (3 of 10); retrying")
     * @param cause   the original failure
     */
    public RecoveredFailure(String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), Objects.requireNonNull(cause, "cause"));
    }
}
