package io.pipeline.core;

/**
 * Where a {@link Flow} stands with one of its managers. See {@link ManagerStatus}. NEW → RUNNING → (RESTARTING →
 * RUNNING)* → COMPLETED | FAILED | STOPPED.
 */
public enum ManagerState {
    /** Not started yet. */
    NEW,
    /** Its source is running. */
    RUNNING,
    /**
     * It failed or finished and a fresh manager will be built after the backoff. After a failure the flow's
     * {@link Flow#health()} is {@link HealthStatus#DEGRADED} meanwhile; after a normal finish it stays UP.
     */
    RESTARTING,
    /** Its source finished normally and it is not restarted. */
    COMPLETED,
    /**
     * The flow gave up on it: it failed and is not restarted (no restart, restarts exhausted, a throw while
     * deciding), or the handler died of a fatal error. The flow's {@link Flow#health()} is then
     * {@link HealthStatus#DOWN}.
     */
    FAILED,
    /** The flow was closed. */
    STOPPED;

    /** Whether nothing more will happen to this manager. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == STOPPED;
    }
}
