package io.pipeline.core;

import java.util.concurrent.CompletionStage;

/**
 * Receives the payloads of one event and handles each asynchronously. Register with
 * {@link Processor#onAsync(Event, AsyncListener)}.
 *
 * <p>{@link #handle} is called on the same thread a {@link Listener} would be. The listener does not receive its
 * next payload before the stage returned for the previous one has completed, so payloads are handled one at a
 * time, in emission order. A stage that completes exceptionally is routed like a thrown exception: to the
 * emitting processor's {@link Processor#ERROR} event. {@code handle} must not return {@code null}.
 *
 * <p>Payloads that arrive while the previous stage is still running wait in a backlog of this listener's own,
 * outside the dispatcher's bounded queue: a listener whose stages never complete holds them (and keeps
 * {@link AsyncDispatcher#close()} waiting). Complete every stage, with a timeout if need be
 * ({@link java.util.concurrent.CompletableFuture#orTimeout}).
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface AsyncListener<T> {
    /** Starts handling one payload; the returned stage completes when it is handled. */
    CompletionStage<?> handle(T payload);
}
