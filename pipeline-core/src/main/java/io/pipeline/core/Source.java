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
 * <h2>The stop contract</h2>
 * Once {@link #stop()} has been called, the future {@code start()} returned completes normally only when the source
 * will emit no more <em>and has no emit in progress on a thread it owns</em> (a timer's thread, an HTTP client's
 * callback thread, a consumer's poll thread): a message emitted there may still be in its listeners — under a
 * {@link SyncDispatcher} they run on that very thread — and the listeners may write to resources that are about to
 * be closed. {@link Flow#close()} relies on it: it stops every source, waits (up to
 * {@link Flow.Builder#sourceStopTimeout(java.time.Duration)}) for each one's future, and only then lets the
 * handler deliver the rest and closes the managers' {@code closeOnStop} resources.
 *
 * <p>A source keeps the contract in one of two ways:
 * <ul>
 *   <li>{@code stop()} returns only once its thread has stopped emitting (it cancels the work and joins the
 *       thread — unless it is called on that thread, by a listener);</li>
 *   <li>or, when stopping is asynchronous (a call that is cancelled, a consumer that is woken), the source wraps
 *       each piece of emitting work in {@link #beginEmitting()} / {@link #endEmitting()}: {@code beginEmitting()}
 *       refuses once the source is stopped or done, and while work is in progress {@code stop()} leaves the future
 *       to be completed by the last {@code endEmitting()}. The bundled connectors and time sources do this.</li>
 * </ul>
 * A source that does neither — its {@code stop()} only raises a flag while its thread is still in a listener —
 * breaks the contract: its future completes at once, so {@code Flow.close()} cannot tell that a delivery is still
 * running, and closes the resources under it (under a {@code SyncDispatcher}; an {@link AsyncDispatcher} delivers on
 * its own loop, which the flow does wait for, so there only the emit itself may be refused).
 *
 * <p>Lifecycle: NEW → RUNNING (after {@code start()}) → STOPPING ({@code stop()} called while emitting work is in
 * progress) → DONE (its future completed). Thread-safe.
 */
public abstract class Source extends Processor {
    private final CompletableFuture<Void> completion = new CompletableFuture<>();
    private volatile CompletableFuture<Void> running;
    private volatile boolean stopped;
    private volatile String managerName;
    private volatile String flowName;
    /**
     * Emitting work in progress ({@link #beginEmitting()}), in the low bits, and {@link #STOPPING} once
     * {@link #stop()} was called: the future completes when both say "stopped and idle".
     */
    private volatile long work;
    private static final long STOPPING = 1L << 62;
    private static final java.lang.invoke.VarHandle WORK;
    /** The sources whose emitting work the current thread is in, innermost last. */
    private static final ThreadLocal<java.util.List<Source>> EMITTING =
            ThreadLocal.withInitial(() -> new java.util.ArrayList<>(2));

    static {
        try {
            WORK = java.lang.invoke.MethodHandles.lookup().findVarHandle(Source.class, "work", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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

    /**
     * Records the flow that runs this source and the flow's clock, which {@link #endEmitting()} stamps the source's
     * last emit with (see {@link ManagerMetrics#lastMessage()}); called before the flow starts its manager.
     */
    final void runBy(String flow, java.time.Clock clock) {
        emitClock = clock;
        runBy(flow);
    }

    /** The flow's clock, once a flow runs this source: what a piece of emitting work that emitted is stamped with. */
    private volatile java.time.Clock emitClock;

    /**
     * Fails this source because the watchdog found it stalled; called on the flow's supervisor thread. Also the
     * future {@code start()} returned when that is one of the source's own rather than {@link #completion()}: the
     * manager listens to that one, and would otherwise never hear of the stall.
     */
    final void stalled(SourceStalledException stall) {
        fail(stall);
        CompletableFuture<Void> returned = running;
        if (returned != null && returned != completion) {
            returned.completeExceptionally(stall);
        }
    }

    /**
     * Starts producing. The returned future completes normally when the source is done (a bounded source ran
     * out, or {@link #stop()} was called) and exceptionally when it failed. Must not block.
     */
    public abstract CompletableFuture<Void> start();

    /**
     * Asks the source to stop; its future then completes normally — at once, or, while emitting work begun with
     * {@link #beginEmitting()} is in progress, when the last of it ends (see the stop contract in the class
     * comment). Idempotent. The default marks the source stopped and completes {@link #completion()} that way;
     * subclasses cancel their work and call {@code super.stop()}. Must not block on work running on the calling
     * thread (a listener may call {@code stop()}).
     */
    public void stop() {
        stopped = true;
        long before = (long) WORK.getAndBitwiseOr(this, STOPPING);
        if ((before & ~STOPPING) == 0) {
            completion.complete(null);
        }
    }

    /**
     * Marks the start of emitting work on a thread this source owns (handling a response, a frame, a batch of
     * records): returns {@code false} — and the caller must then not emit — once {@link #stop()} was called or the
     * source is done. Every {@code true} must be paired with {@link #endEmitting()} in a {@code finally} block, on
     * the same thread. May nest. While work is in progress, {@code stop()} does not complete the future; the last
     * {@code endEmitting()} does. Cheap: one compare-and-set and a thread-local update; meant for each piece of
     * work, not each message of a batch.
     */
    protected final boolean beginEmitting() {
        while (true) {
            long current = work;
            if ((current & STOPPING) != 0 || completion.isDone()) {
                return false;
            }
            if (WORK.compareAndSet(this, current, current + 1)) {
                EMITTING.get().add(this);
                return true;
            }
        }
    }

    /** Ends work begun with {@link #beginEmitting()}; the last one to end after {@link #stop()} completes the future. */
    protected final void endEmitting() {
        java.util.List<Source> mine = EMITTING.get();
        int at = mine.lastIndexOf(this);
        if (at < 0) {
            throw new IllegalStateException("endEmitting() without beginEmitting() on this thread: " + name());
        }
        mine.remove(at);
        stampEmits();
        if ((long) WORK.getAndAdd(this, -1L) == (STOPPING | 1)) {
            completion.complete(null);
        }
    }

    /**
     * At the end of a piece of emitting work: if the source emitted since the flow last saw its emit count, the time
     * of its last emit is now, on the flow's clock — exact for sources that bracket their work, instead of the time
     * the flow next looks (a metrics snapshot, a watchdog check). A clock read per piece of work, not per emit.
     */
    private void stampEmits() {
        java.time.Clock clock = emitClock;
        if (clock != null) {
            try {
                topics.stampEmits(clock);
            } catch (RuntimeException brokenClock) {
                // a clock that throws only costs the stamp: the flow's next look still sees the emits
            }
        }
    }

    /** Whether the calling thread is inside {@link #beginEmitting()} / {@link #endEmitting()} of this source. */
    final boolean emittingOnThisThread() {
        return EMITTING.get().contains(this);
    }

    /** Whether the calling thread is inside the emitting work of any source (a flow closed from it must not wait). */
    static boolean emittingOnAnySource() {
        return !EMITTING.get().isEmpty();
    }

    /** The future {@code start()} returned (or {@link #completion()} before that). */
    final CompletableFuture<Void> running() {
        CompletableFuture<Void> future = running;
        return future != null ? future : completion;
    }

    /**
     * After {@link #stop()} and once the future completed: waits until the source's own threads have ended, where
     * that is safe to wait for, so that none outlives a flow's close. The flow calls it before closing a stopped
     * manager's resources. The default returns at once.
     */
    void awaitIdle() {}

    /**
     * Whether the calling thread is the one this source's handler delivers on — an {@link AsyncDispatcher}'s loop
     * thread, where this source's listeners run. A {@link #stop()} called there (from a listener) must not wait for
     * deliveries that thread would make once the listener returns. Always {@code false} under a {@link
     * SyncDispatcher}, which has no thread of its own (its listeners run on the emitting thread).
     */
    protected final boolean onDeliveryThread() {
        return Dispatcher.of(handler()).onDeliveryThread();
    }

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
