package io.pipeline.core;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A {@link MessageHandler} that runs listeners on the emitting thread, in registration order, before
 * {@code emit} returns. A listener that emits is dispatched recursively, depth first.
 *
 * <p>Simple and fast, with no thread of its own; the price is that a slow listener slows down the emitter.
 * Async listeners' continuations run on the thread that completes their stage; an async listener's backlog is
 * worked through in a loop, not by recursion, however many stages complete at once.
 *
 * <p>Faults: a listener's failure becomes its processor's {@link Processor#ERROR} event, also a
 * {@link StackOverflowError} (reported once the stack has unwound far enough to report it); an
 * {@link InterruptedException} thrown by a listener sets the emitting thread's interrupt flag again. Any other
 * {@link VirtualMachineError} is fatal: the dispatcher records it (a {@link Flow} reports it and goes DOWN), the
 * error propagates to the emitter, and every later emit throws {@link IllegalStateException} with it as cause.
 * An async listener's stage completing after that runs no more of its backlog: the backlogged messages are
 * abandoned, their {@code emitAsync} futures failing with an {@link IllegalStateException} whose cause is the error
 * (an async listener that itself throws the error fails its own message's future the same way).
 *
 * <p>This class is thread-safe. Listeners are called on whichever threads emit, so a listener shared by
 * processors that emit from several threads must be thread-safe itself.
 */
public final class SyncDispatcher extends Dispatcher {
    private volatile boolean closed;
    /**
     * Async listeners with a stage in flight (or a backlog), for delivery barriers: counted, because a listener
     * going idle on one thread and busy again on another may report the two in either order.
     */
    private final ConcurrentHashMap<Subscriber.Async, Integer> busyAsync = new ConcurrentHashMap<>();
    /** Barriers waiting for async listeners to go idle. */
    private final CopyOnWriteArrayList<PendingBarrier> barriers = new CopyOnWriteArrayList<>();

    private record PendingBarrier(Predicate<String> processors, CompletableFuture<Void> future) {}

    /** Creates an open dispatcher. */
    public SyncDispatcher() {
        super(false);
    }

    @Override
    void enqueue(Topic topic, Object payload, Completion completion) {
        ensureOpen();
        inline.deliver(topic, payload, completion);
    }

    @Override
    void enqueueError(Topic errors, Throwable error, Completion completion) {
        inline.deliver(errors, error, completion);
    }

    @Override
    void resume(Runnable continuation) {
        continuation.run();
    }

    /**
     * A delivery barrier: a plain listener has returned before its {@code emit} did, so what an emit that returned
     * handed over has been delivered; what matters is an emit still running on another thread (the flow waits for
     * its source's stop for that) and async listeners of {@code processors} with a stage in flight or a backlog:
     * the barrier completes when the last of them goes idle — on the thread that completes its stage — or when the
     * dispatcher closes or dies (a dead dispatcher runs no backlog).
     */
    @Override
    CompletableFuture<Void> barrier(Predicate<String> processors) {
        Objects.requireNonNull(processors, "processors");
        if (isClosed()) {
            return CompletableFuture.completedFuture(null);
        }
        PendingBarrier barrier = new PendingBarrier(processors, new CompletableFuture<>());
        barriers.add(barrier); // first: an async listener finishing from now on looks at it
        checkBarriers();
        if (isClosed()) {
            releaseBarriers();
        }
        return barrier.future;
    }

    @Override
    void asyncStarted(Subscriber.Async listener) {
        super.asyncStarted(listener);
        busyAsync.merge(listener, 1, SyncDispatcher::sumOrNull);
    }

    @Override
    void asyncFinished(Subscriber.Async listener) {
        super.asyncFinished(listener);
        busyAsync.merge(listener, -1, SyncDispatcher::sumOrNull);
        if (!barriers.isEmpty()) {
            checkBarriers();
        }
    }

    private void checkBarriers() {
        for (PendingBarrier barrier : barriers) {
            if (!busyAsyncOf(barrier.processors)) {
                barriers.remove(barrier);
                barrier.future.complete(null);
            }
        }
    }

    private boolean busyAsyncOf(Predicate<String> processors) {
        for (Subscriber.Async listener : busyAsync.keySet()) {
            if (processors.test(listener.topic.processorName())) {
                return true;
            }
        }
        return false;
    }

    private static Integer sumOrNull(Integer a, Integer b) {
        int sum = a + b;
        return sum == 0 ? null : sum;
    }

    private void releaseBarriers() {
        for (PendingBarrier barrier : barriers) {
            barriers.remove(barrier);
            barrier.future.complete(null);
        }
    }

    /** A SyncDispatcher has no thread of its own. */
    @Override
    boolean onDeliveryThread() {
        return false;
    }

    @Override
    boolean inlineHere() {
        return accepting();
    }

    @Override
    boolean accepting() {
        return !closed && fatalError() == null;
    }

    @Override
    boolean allowsDirectCalls() {
        return accepting();
    }

    @Override
    boolean restoresInterrupt() {
        return true;
    }

    @Override
    void onDeath() {
        refreshDirectListeners();
        releaseBarriers();
    }

    @Override
    DispatcherMetrics dispatcherMetrics() {
        return new DispatcherMetrics("SyncDispatcher", 0, 0, 0, 0, 0, 0, deadEvents(), 0);
    }

    @Override
    public boolean isClosed() {
        return closed || fatalError() != null;
    }

    /** Stops accepting messages: later emits throw {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        closed = true;
        refreshDirectListeners();
        releaseBarriers();
    }

    @Override
    public String toString() {
        return "SyncDispatcher[deadEvents=" + deadEvents() + (isClosed() ? ", closed]" : "]");
    }
}
