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
     * The default: logs through {@link System.Logger} (logger {@code io.pipeline.core.Flow}), at WARNING when the
     * manager will be restarted and at ERROR when it will not. Route it to SLF4J with its
     * {@code System.Logger} bridge.
     */
    static ErrorReporter logging() {
        return LoggingErrorReporter.INSTANCE;
    }
}
