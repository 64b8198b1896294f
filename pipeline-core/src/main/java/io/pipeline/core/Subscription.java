package io.pipeline.core;

/**
 * A listener's registration, returned by every {@code on…} method of {@link Processor}.
 *
 * <p>Thread-safe.
 */
@FunctionalInterface
public interface Subscription {
    /** Removes the listener. Idempotent; messages already being delivered may still reach it. */
    void cancel();
}
