package io.pipeline.core;

/**
 * What an {@link AsyncDispatcher} does when a thread other than its loop thread emits while the queue is full.
 * Error events and emits made on the loop thread are never subject to it (see {@link AsyncDispatcher}).
 */
public enum Overflow {
    /**
     * The emitting thread waits for space: it retries for up to 50 µs (the loop thread frees room within
     * microseconds), then parks until the queue is at most half full. Waiting emitters take room in arrival order,
     * and while any waits, newcomers queue behind it: one that keeps emitting cannot starve another. Nothing is
     * lost. The default.
     */
    BLOCK,
    /** The new message is discarded and counted in {@link AsyncDispatcher#dropped()}. */
    DROP_NEWEST,
    /**
     * The oldest message not yet handed to a listener is discarded to make room and counted in
     * {@link AsyncDispatcher#dropped()}.
     */
    DROP_OLDEST,
    /** {@code emit} throws {@link java.util.concurrent.RejectedExecutionException}. */
    FAIL
}
