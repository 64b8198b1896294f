package io.pipeline.core;

/**
 * A {@link MessageHandler} that runs listeners on the emitting thread, in registration order, before
 * {@code emit} returns. A listener that emits is dispatched recursively, depth first.
 *
 * <p>Simple and fast, with no thread of its own; the price is that a slow listener slows down the emitter.
 * Async listeners' continuations run on the thread that completes their stage.
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
        deliver(topic, payload, completion);
    }

    @Override
    void enqueueError(Topic errors, Throwable error) {
        deliver(errors, error, null);
    }

    @Override
    void resume(Runnable continuation) {
        continuation.run();
    }

    @Override
    boolean inlineHere() {
        return !closed;
    }

    @Override
    boolean accepting() {
        return !closed;
    }

    @Override
    boolean allowsDirectCalls() {
        return !closed;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Stops accepting messages: later emits throw {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        closed = true;
        refreshDirectListeners();
    }

    @Override
    public String toString() {
        return "SyncDispatcher[deadEvents=" + deadEvents() + (closed ? ", closed]" : "]");
    }
}
