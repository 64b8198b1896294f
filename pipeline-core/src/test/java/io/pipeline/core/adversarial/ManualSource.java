package io.pipeline.core.adversarial;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Source;
import java.util.concurrent.CompletableFuture;

/** A source that emits and finishes when the test says so. Thread-safe. */
class ManualSource extends Source {
    static final Event<String> DATA = Event.of("data", String.class);

    volatile int stops;

    ManualSource(String name, MessageHandler handler) {
        super(name, handler);
    }

    @Override
    public CompletableFuture<Void> start() {
        return completion();
    }

    void send(String value) {
        emit(DATA, value);
    }

    void finish() {
        complete();
    }

    void failWith(Throwable failure) {
        fail(failure);
    }

    @Override
    public void stop() {
        stops++;
        super.stop();
    }
}
