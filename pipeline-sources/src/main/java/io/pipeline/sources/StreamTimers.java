package io.pipeline.sources;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler a streaming source runs its reconnects and watchdogs on: an injected one (left running on
 * shutdown), or a daemon thread of the source's own, named after it, that ends with the source. Thread-safe.
 */
final class StreamTimers {
    private final ScheduledExecutorService executor;
    private final boolean owned;

    private StreamTimers(ScheduledExecutorService executor, boolean owned) {
        this.executor = executor;
        this.owned = owned;
    }

    /** Uses {@code injected}, or when it is null starts a thread named {@code threadName}. */
    static StreamTimers create(ScheduledExecutorService injected, String threadName) {
        if (injected != null) {
            return new StreamTimers(injected, false);
        }
        ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        // On shutdown, drop pending reconnects and watchdogs instead of waiting for them.
        own.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        own.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        own.setRemoveOnCancelPolicy(true);
        return new StreamTimers(own, true);
    }

    /**
     * Runs {@code task} after {@code delay}.
     *
     * @throws RejectedExecutionException if the scheduler has been shut down
     */
    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return executor.schedule(task, Math.max(0, Durations.nanos(delay)), TimeUnit.NANOSECONDS);
    }

    /** Stops the source's own thread; an injected scheduler is left alone. */
    void shutdown() {
        if (owned) {
            executor.shutdown();
        }
    }

    /** Whether the scheduler is the source's own. */
    boolean owned() {
        return owned;
    }

    /** Waits for the source's own thread to end; true at once for an injected scheduler. */
    boolean awaitTermination(Duration timeout) throws InterruptedException {
        return !owned || executor.awaitTermination(Durations.nanos(timeout), TimeUnit.NANOSECONDS);
    }
}
