package io.pipeline.core;

/** Where a {@link Flow} stands with one of its managers. See {@link ManagerStatus}. */
public enum ManagerState {
    /** Not started yet. */
    NEW,
    /** Its source is running. */
    RUNNING,
    /** It failed or finished and a fresh manager will be built after the backoff. */
    RESTARTING,
    /** Its source finished normally and it is not restarted. */
    COMPLETED,
    /** It failed and the flow gave up on it (no restart, or restarts exhausted). */
    FAILED,
    /** The flow was closed. */
    STOPPED;

    /** Whether nothing more will happen to this manager. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == STOPPED;
    }
}
