package io.pipeline.core;

import java.util.concurrent.CompletableFuture;

/**
 * A processor that produces messages on its own — a poller, a socket client, a timer — and is the starting point
 * of a pipeline. A {@link Manager} starts its source; the source's future tells the {@link Flow} when it has
 * finished or failed.
 *
 * <p>Subclasses implement {@link #start()}, typically by kicking off non-blocking work and returning
 * {@link #completion()}, which they complete with {@link #complete()} or {@link #fail(Throwable)}; and override
 * {@link #stop()} to cancel that work, calling {@code super.stop()}.
 *
 * <p>Lifecycle: NEW → RUNNING (after {@code start()}) → DONE (its future completed). Thread-safe.
 */
public abstract class Source extends Processor {
    private final CompletableFuture<Void> completion = new CompletableFuture<>();
    private volatile CompletableFuture<Void> running;
    private volatile boolean stopped;

    /** Creates a source named {@code name} on {@code handler}. */
    protected Source(String name, MessageHandler handler) {
        super(name, handler);
    }

    /**
     * Starts producing. The returned future completes normally when the source is done (a bounded source ran
     * out, or {@link #stop()} was called) and exceptionally when it failed. Must not block.
     */
    public abstract CompletableFuture<Void> start();

    /**
     * Asks the source to stop; its future then completes normally. Idempotent. The default marks the source
     * stopped and completes {@link #completion()}; subclasses cancel their work and call {@code super.stop()}.
     */
    public void stop() {
        stopped = true;
        completion.complete(null);
    }

    /**
     * After {@link #stop()}: waits until no work of this source is still running (a tick in its listeners), where
     * that is safe to wait for. The flow calls it before closing a stopped manager's resources. The default
     * returns at once.
     */
    void awaitIdle() {}

    /** Whether {@link #stop()} has been called. */
    protected final boolean isStopped() {
        return stopped;
    }

    /** A future owned by this source, for {@link #start()} implementations to return. */
    protected final CompletableFuture<Void> completion() {
        return completion;
    }

    /** Completes {@link #completion()} normally: the source is done. */
    protected final void complete() {
        completion.complete(null);
    }

    /** Completes {@link #completion()} exceptionally: the source failed. */
    protected final void fail(Throwable failure) {
        completion.completeExceptionally(failure);
    }

    /** Remembers the future {@code start()} returned, for {@link #isDone()}. */
    final void track(CompletableFuture<Void> future) {
        running = future;
    }

    /** Whether this source's run has finished, normally or not. */
    @Override
    public boolean isDone() {
        CompletableFuture<Void> future = running;
        return completion.isDone() || (future != null && future.isDone());
    }
}
