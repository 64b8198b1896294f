package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.Subscription;
import java.util.Objects;

/**
 * Fan-in: emits on {@link #out()} every payload of every event it was connected to with {@link #from}, in the
 * order they are delivered to it.
 *
 * <pre>{@code
 * var all = new Merge<Reading>(processorName("all"), handler);
 * all.from(berlin, Poller.READING);
 * all.from(paris, Poller.READING);
 * all.on(all.out(), writer::write);
 * }</pre>
 *
 * <p>Stateless. Thread-safe; payloads are forwarded on the thread that delivers them, concurrently if the
 * handler delivers concurrently.
 */
public final class Merge<T> extends Processor {

    public Merge(String name, MessageHandler handler) {
        super(name, handler);
    }

    /** The event merged payloads are emitted on. */
    public Event<T> out() {
        return Outputs.out();
    }

    /** Forwards every {@code event} of {@code upstream}. */
    public <U extends T> Subscription from(Processor upstream, Event<U> event) {
        Objects.requireNonNull(upstream, "upstream");
        return upstream.on(event, this::accept);
    }

    /** Emits {@code payload}. */
    public void accept(T payload) {
        emit(Outputs.OUT, payload);
    }
}
