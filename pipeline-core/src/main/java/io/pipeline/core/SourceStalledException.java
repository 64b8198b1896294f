package io.pipeline.core;

import java.util.Objects;

/**
 * The failure of a source the stall watchdog found stalled: the cause a source is failed with when it (or the
 * flow) restarts stalled sources, and the cause of the {@link PipelineError} that
 * {@link ErrorReporter#stalled(SourceStall)} reports by default. Instances are immutable and safe for concurrent
 * use.
 */
public final class SourceStalledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient SourceStall stall;

    /** Creates the exception for {@code stall}. */
    public SourceStalledException(SourceStall stall) {
        super(Objects.requireNonNull(stall, "stall").describe());
        this.stall = stall;
    }

    /** The stall. */
    public SourceStall stall() {
        return stall;
    }
}
