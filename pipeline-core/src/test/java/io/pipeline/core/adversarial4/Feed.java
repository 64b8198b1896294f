package io.pipeline.core.adversarial4;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.Source;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A source that emits, finishes and fails when the test says so, optionally declaring an interval. Thread-safe. */
class Feed extends Source {
    static final Event<String> DATA = Event.of("data", String.class);

    private final Duration interval;
    /** Counted down when this source is started. */
    final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);

    Feed(String name, MessageHandler handler) {
        this(name, handler, null);
    }

    Feed(String name, MessageHandler handler, Duration interval) {
        super(name, handler);
        this.interval = interval;
    }

    @Override
    public Optional<Duration> expectedInterval() {
        return Optional.ofNullable(interval);
    }

    @Override
    public CompletableFuture<Void> start() {
        started.countDown();
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
