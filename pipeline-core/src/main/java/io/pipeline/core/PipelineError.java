package io.pipeline.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One failure handled by a {@link Flow}. Instances are immutable and safe for concurrent use.
 *
 * @param manager      the failed manager's name (for an uncaught error no manager owns, the processor's name; for
 *                     a fatal error that killed the handler, {@link Flow#HANDLER})
 * @param cause        what failed: the source's exception, an uncaught error event, the factory's exception, an
 *                     exception of the supervision itself (a throwing {@code shouldRestart()}), or the handler's
 *                     fatal error
 * @param willRestart  whether the flow will build a fresh manager; {@code false} means this failure is final
 * @param restartDelay the wait before that restart; {@link Duration#ZERO} when there is none
 * @param restarts     how many times this manager had been restarted before this failure
 * @param time         when the flow handled the failure
 * @param processor    the processor the failure came from, when the flow knows it, else {@code null}: the source
 *                     whose future failed, the processor whose listener threw (the {@link ListenerException}) or
 *                     whose uncaught error event this is, the stalled source
 */
public record PipelineError(String manager, Throwable cause, boolean willRestart, Duration restartDelay,
                            int restarts, Instant time, String processor) {
    /** Validates the components. */
    public PipelineError {
        Objects.requireNonNull(manager, "manager");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(restartDelay, "restartDelay");
        Objects.requireNonNull(time, "time");
        if (restarts < 0) {
            throw new IllegalArgumentException("restarts < 0: " + restarts);
        }
    }

    /**
     * A failure whose processor is the one its cause names, if any: that of the first {@link ListenerException} or
     * {@link SourceStalledException} in the cause chain, else {@code null}.
     */
    public PipelineError(String manager, Throwable cause, boolean willRestart, Duration restartDelay, int restarts,
                         Instant time) {
        this(manager, cause, willRestart, restartDelay, restarts, time, LogContext.processorOf(cause));
    }

    /** Whether the flow gave up on the manager: the opposite of {@link #willRestart()}. */
    public boolean isFinal() {
        return !willRestart;
    }
}
