package io.pipeline.core;

/** {@link ErrorReporter#logging()}. */
final class LoggingErrorReporter implements ErrorReporter {
    static final LoggingErrorReporter INSTANCE = new LoggingErrorReporter(null);
    private static final System.Logger LOG = System.getLogger(Flow.class.getName());

    /** The flow whose reports these are, for the log context; null when not known. */
    private final String flow;

    /** A flow gives the default reporter its name ({@link Flow}'s constructor). */
    LoggingErrorReporter(String flow) {
        this.flow = flow;
    }

    private String context(PipelineError error) {
        return LogContext.of(flow, error.manager(), error.processor());
    }

    /** A stall is a warning, not a failure. */
    @Override
    public void stalled(SourceStall stall) {
        LOG.log(System.Logger.Level.WARNING, LogContext.of(flow, stall.manager(), stall.source()) + "Watchdog: "
                + stall.describe());
    }

    @Override
    public void report(PipelineError error) {
        if (error.willRestart()) {
            LOG.log(System.Logger.Level.WARNING, context(error) + "Manager '" + error.manager() + "' failed (restart "
                    + (error.restarts() + 1) + " in " + error.restartDelay() + ")", error.cause());
        } else {
            LOG.log(System.Logger.Level.ERROR, context(error) + "Manager '" + error.manager()
                    + "' failed and will not be restarted",
                    error.cause());
        }
    }
}
