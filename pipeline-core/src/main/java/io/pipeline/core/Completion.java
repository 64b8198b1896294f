package io.pipeline.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tracks one {@link Processor#emitAsync} message: completes its future once the message has been delivered
 * to every listener and every async listener's stage has completed.
 */
final class Completion {
    final CompletableFuture<Boolean> future = new CompletableFuture<>();
    private final AtomicInteger outstanding = new AtomicInteger(1);

    /** One more party (an async listener) must {@link #arrive()} before the future completes. */
    void expect() {
        outstanding.incrementAndGet();
    }

    void arrive() {
        if (outstanding.decrementAndGet() == 0) {
            future.complete(Boolean.TRUE);
        }
    }

    /**
     * The handler will never finish delivering this message (its delivery died of {@code cause}): the future fails
     * with an {@link IllegalStateException} whose cause is {@code cause}. A later {@link #arrive()} changes nothing.
     */
    void abandon(Throwable cause) {
        future.completeExceptionally(
                new IllegalStateException("the handler's delivery died before this message reached every listener: " + cause, cause));
    }

    /** The failure a {@link CompletionException} wraps, else {@code failure} itself. */
    static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
