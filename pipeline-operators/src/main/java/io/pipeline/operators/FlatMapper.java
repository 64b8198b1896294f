package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.util.Objects;
import java.util.function.Function;

/**
 * Maps each payload to zero or more results and emits each, in order, on {@link #out()}; null elements are
 * skipped. Stateless; threading as for {@link Mapper}.
 */
public final class FlatMapper<I, O> extends Processor {
    private final Function<? super I, ? extends Iterable<? extends O>> function;

    public FlatMapper(String name, MessageHandler handler, Function<? super I, ? extends Iterable<? extends O>> function) {
        super(name, handler);
        this.function = Objects.requireNonNull(function, "function");
    }

    /** The event results are emitted on. */
    public Event<O> out() {
        return Outputs.out();
    }

    /** Emits every non-null result of {@code payload}. */
    public void accept(I payload) {
        Iterable<? extends O> results = function.apply(payload);
        if (results == null) {
            return;
        }
        for (O result : results) {
            if (result != null) {
                emit(Outputs.OUT, result);
            }
        }
    }
}
