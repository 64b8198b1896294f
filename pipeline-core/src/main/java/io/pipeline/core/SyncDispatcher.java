package io.pipeline.core;

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
 *
 * <p>This class is thread-safe. Listeners are called on whichever threads emit, so a listener shared by
 * processors that emit from several threads must be thread-safe itself.
 */
public final class SyncDispatcher extends Dispatcher {
    private volatile boolean closed;

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
    }

    @Override
    DispatcherMetrics dispatcherMetrics() {
        return new DispatcherMetrics("SyncDispatcher", 0, 0, 0, 0, 0, 0, deadEvents());
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
    }

    @Override
    public String toString() {
        return "SyncDispatcher[deadEvents=" + deadEvents() + (isClosed() ? ", closed]" : "]");
    }
}
