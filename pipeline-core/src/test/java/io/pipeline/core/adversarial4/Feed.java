package io.pipeline.core.adversarial4;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.Source;
import java.util.concurrent.CompletableFuture;

/** A source that emits, finishes and fails when the test says so. Thread-safe. */
class Feed extends Source {
    static final Event<String> DATA = Event.of("data", String.class);

    Feed(String name, MessageHandler handler) {
        super(name, handler);
    }

    @Override
    public CompletableFuture<Void> start() {
        return completion();
    }

    boolean send(String value) {
        return emit(DATA, value);
    }

    /** Emits an error event of this source's own, as a source does that reports a failure it cannot handle. */
    boolean sendError(Throwable error) {
        return emit(Processor.ERROR, error);
    }

    void finish() {
        complete();
    }

    void crash(Throwable failure) {
        fail(failure);
    }
}
