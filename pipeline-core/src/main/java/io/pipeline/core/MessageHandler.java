package io.pipeline.core;

/**
 * The message bus every {@link Processor} is built on: it holds the listeners of each processor's events and
 * delivers what processors emit.
 *
 * <p>Two implementations exist: {@link SyncDispatcher}, which runs listeners on the emitting thread before
 * {@code emit} returns, and {@link AsyncDispatcher}, which queues messages for one loop thread. Pipelines are
 * written the same way against either.
 *
 * <p>Implementations are thread-safe.
 */
public sealed interface MessageHandler extends AutoCloseable permits Dispatcher {

    /**
     * Emits nobody listened to since this handler was created. Such events are dropped, but counted so that a
     * wiring mistake is visible. Counted too: a listener's failure that nobody hears (its processor's
     * {@link Processor#ERROR}, emitted on its behalf), and a message accepted while it had listeners that are gone
     * by the time it is delivered (cancelled, or removed with a failed manager while it waited in a queue).
     */
    long deadEvents();

    /**
     * Whether {@link #close()} has been called, or delivery died of a fatal error (a {@link VirtualMachineError}
     * other than {@link StackOverflowError}); either way, emits throw {@link IllegalStateException}.
     */
    boolean isClosed();

    /**
     * Stops accepting messages; see the implementation for what happens to messages in flight. Idempotent.
     * After it returns, {@code emit} throws {@link IllegalStateException}.
     */
    @Override
    void close();
}
