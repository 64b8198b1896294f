package io.pipeline.core;

/** {@link ErrorReporter#logging()}. */
final class LoggingErrorReporter implements ErrorReporter {
    static final LoggingErrorReporter INSTANCE = new LoggingErrorReporter();
    private static final System.Logger LOG = System.getLogger(Flow.class.getName());

    private LoggingErrorReporter() {}

    /** A stall is a warning, not a failure. */
    @Override
    public void stalled(SourceStall stall) {
        LOG.log(System.Logger.Level.WARNING, "Flow watchdog: " + stall.describe());
    }

    @Override
    public void report(PipelineError error) {
        if (error.willRestart()) {
            LOG.log(System.Logger.Level.WARNING, "Manager '" + error.manager() + "' failed (restart "
                    + (error.restarts() + 1) + " in " + error.restartDelay() + ")", error.cause());
        } else {
            LOG.log(System.Logger.Level.ERROR, "Manager '" + error.manager() + "' failed and will not be restarted",
                    error.cause());
        }
    }
}
