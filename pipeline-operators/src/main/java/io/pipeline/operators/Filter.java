package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Emits on {@link #out()} the payloads a predicate accepts. Stateless; threading as for {@link Mapper}.
 */
public final class Filter<T> extends Processor {
    private final Predicate<? super T> predicate;

    public Filter(String name, MessageHandler handler, Predicate<? super T> predicate) {
        super(name, handler);
        this.predicate = Objects.requireNonNull(predicate, "predicate");
    }

    /** The event accepted payloads are emitted on. */
    public Event<T> out() {
        return Outputs.out();
    }

    /** Emits {@code payload} if the predicate accepts it. */
    public void accept(T payload) {
        if (predicate.test(payload)) {
            emit(Outputs.OUT, payload);
        }
    }
}
