package io.pipeline.core;

/**
 * Receives every manager failure a {@link Flow} handles, uncaught errors it cannot attribute to a manager, and a
 * fatal error that killed the handler ({@link PipelineError#manager()} is then {@link Flow#HANDLER}). Called on the
 * flow's supervisor thread, one report at a time, never after {@link Flow#close()} has returned; it must not block
 * for long (the flow's close waits for a running report). It may call {@code Flow.close()}. A reporter that throws
 * is logged and otherwise ignored. Implementations must be safe to call from that one thread.
 */
@FunctionalInterface
public interface ErrorReporter {
    /** Reports one failure. */
    void report(PipelineError error);

    /**
     * Reports a source the flow's stall watchdog found stalled and that is <em>not</em> restarted for it (a source
     * that is restarted fails instead, and its manager's failure is reported through {@link #report} with a
     * {@link SourceStalledException} as cause). Called once per stall, on the supervisor thread like
     * {@link #report}; the stall clears when the source emits again. The default reports a {@link PipelineError}
     * whose cause is a {@link SourceStalledException}, with {@code willRestart} false and no delay: nothing is
     * given up on, the manager keeps running.
     */
    default void stalled(SourceStall stall) {
        report(new PipelineError(stall.manager(), new SourceStalledException(stall), false, java.time.Duration.ZERO,
                0, stall.time()));
    }

    /**
     * The default: logs through {@link System.Logger} (logger {@code io.pipeline.core.Flow}), at WARNING when the
     * manager will be restarted and at ERROR when it will not. Route it to SLF4J with its
     * {@code System.Logger} bridge.
     */
    static ErrorReporter logging() {
        return LoggingErrorReporter.INSTANCE;
    }
}
