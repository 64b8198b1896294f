package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.util.Objects;
import java.util.function.Function;

/**
 * Maps each payload with a function and emits the result on {@link #out()}; a null result emits nothing.
 *
 * <pre>{@code
 * var parse = new Mapper<RestSource.Poll, Reading>(processorName("parse"), handler, Reading::from);
 * source.on(RestSource.DATA, parse::accept);
 * parse.on(parse.out(), writer::write);
 * }</pre>
 *
 * <p>Stateless. {@link #accept} runs on the thread that delivers to it and may be called concurrently if the
 * handler does (a {@code SyncDispatcher} with several emitting threads); the function must then be thread-safe.
 * A function that throws fails only that payload: the failure becomes this processor's {@code ERROR}.
 */
public final class Mapper<I, O> extends Processor {
    private final Function<? super I, ? extends O> function;

    public Mapper(String name, MessageHandler handler, Function<? super I, ? extends O> function) {
        super(name, handler);
        this.function = Objects.requireNonNull(function, "function");
    }

    /** The event results are emitted on. */
    public Event<O> out() {
        return Outputs.out();
    }

    /** Maps {@code payload} and emits the result unless it is null. */
    public void accept(I payload) {
        O result = function.apply(payload);
        if (result != null) {
            emit(Outputs.OUT, result);
        }
    }
}
