package io.pipeline.core;

/**
 * Receives the payloads of one event. Register with {@link Processor#on(Event, Listener)}.
 *
 * <p>Which thread calls it depends on the {@link MessageHandler}: the emitting thread under
 * {@link SyncDispatcher}, the dispatcher's loop thread under {@link AsyncDispatcher}. A listener is never
 * called concurrently with itself by {@code AsyncDispatcher}; under {@code SyncDispatcher} it is called
 * concurrently if several threads emit at once.
 *
 * <p>A listener that throws does not stop the pipeline: the failure is emitted as the emitting processor's
 * {@link Processor#ERROR} event, wrapped in a {@link ListenerException}.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface Listener<T> {
    /** Handles one payload. */
    void handle(T payload) throws Exception;
}
