package io.pipeline.core.adversarial3;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.Source;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * A source that emits, finishes and fails when the test says so, optionally declaring an interval; shared by the
 * adversarial test packages. Thread-safe.
 */
public class Feed extends Source {
    public static final Event<String> DATA = Event.of("data", String.class);

    private final Duration interval;
    /** Counted down when this source is started. */
    public final CountDownLatch started = new CountDownLatch(1);

    public Feed(String name, MessageHandler handler) {
        this(name, handler, null);
    }

    public Feed(String name, MessageHandler handler, Duration interval) {
        super(name, handler);
        this.interval = interval;
    }

    @Override
    public CompletableFuture<Void> start() {
        started.countDown();
        return completion();
    }

    @Override
    public Optional<Duration> expectedInterval() {
        return Optional.ofNullable(interval);
    }

    public boolean send(String value) {
        return emit(DATA, value);
    }

    /** Emits an error event of this source's own, as a source does that reports a failure it cannot handle. */
    public boolean sendError(Throwable error) {
        return emit(Processor.ERROR, error);
    }

    public void finish() {
        complete();
    }

    public void crash(Throwable failure) {
        fail(failure);
    }
}
