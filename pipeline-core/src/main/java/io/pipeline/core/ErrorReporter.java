package io.pipeline.core;

/**
 * Receives every manager failure a {@link Flow} handles, and uncaught errors it cannot attribute to a manager.
 * Called on the flow's supervisor thread, one report at a time; it must not block for long. A reporter that
 * throws is logged and otherwise ignored.
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
