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
    private volatile String managerName;
    private volatile String flowName;

    /** Creates a source named {@code name} on {@code handler}. */
    protected Source(String name, MessageHandler handler) {
        super(name, handler);
    }

    /**
     * How often this source expects to produce data, if it knows: a poller's interval, a timer's period. The
     * flow's stall watchdog reports the source as stalled — and makes the flow's health DEGRADED — when it has
     * emitted nothing for a multiple of this (default 3×, {@code Flow.Builder.stallMultiple}). Default: empty,
     * no watchdog for this source. Called on the flow's supervisor thread; must be fast and must not throw.
     */
    public java.util.Optional<java.time.Duration> expectedInterval() {
        return java.util.Optional.empty();
    }

    /**
     * Whether the flow fails this source when the watchdog finds it stalled, so that its manager restarts (the
     * failure's cause is a {@link SourceStalledException}). Default {@code false}: the stall is only reported;
     * {@code Flow.Builder.restartStalledSources(true)} turns it on for every source.
     */
    public boolean restartWhenStalled() {
        return false;
    }

    /**
     * The counter named {@code name} of this source, created at first use: what the source counts of its own work
     * (a poller's polls and failures, a stream's reconnects and bytes, a timer's ticks), exported in
     * {@link Flow#metrics()} as {@link SourceMetrics#counters()}. The counter belongs to the source's name on its
     * handler, so a source rebuilt by a restart continues the same count. Thread-safe.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    protected final SourceCounter counter(String name) {
        java.util.Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("counter name is blank");
        }
        return topics.counter(name);
    }

    /**
     * The name of the {@link Manager} this source was added to, once it has been; for log context (connectors put
     * it in SLF4J's MDC as {@code pipeline.manager}). Thread-safe.
     */
    public final java.util.Optional<String> managerName() {
        return java.util.Optional.ofNullable(managerName);
    }

    /**
     * The name of the {@link Flow} that runs this source's manager, once the flow has started it; empty for a
     * manager started without a flow. For log context ({@code pipeline.flow}). Thread-safe.
     */
    public final java.util.Optional<String> flowName() {
        return java.util.Optional.ofNullable(flowName);
    }

    /** Records the manager that owns this source; called when the manager adds it. */
    final void ownedBy(String manager) {
        managerName = manager;
    }

    /** Records the flow that runs this source; called before the flow starts its manager. */
    final void runBy(String flow) {
        flowName = flow;
    }

    /** Fails this source because the watchdog found it stalled; called on the flow's supervisor thread. */
    final void stalled(SourceStalledException stall) {
        fail(stall);
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
