package io.pipeline.core;

/** How well a {@link Flow} is doing, from best to worst. See {@link Flow#health()}. */
public enum HealthStatus {
    /** The flow runs and every manager is running (or between two normal runs, like a {@link TimeSource}). */
    UP,
    /**
     * The flow runs, but a manager failed and waits to be rebuilt, or has been restarted after failures repeatedly
     * within the restart policy's window. Still serving, expected to recover.
     */
    DEGRADED,
    /**
     * Not serving: a manager was given up on, the handler died of a fatal error, or the flow is not running (not
     * started, closing, closed, or terminated).
     */
    DOWN
}
