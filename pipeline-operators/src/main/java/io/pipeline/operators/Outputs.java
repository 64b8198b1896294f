package io.pipeline.operators;

import io.pipeline.core.Event;

/** The events operators with a payload type chosen by the user emit on; one instance each, for the fast path. */
final class Outputs {
    static final Event<Object> OUT = Event.of("out", Object.class);
    static final Event<Object> LATE = Event.of("late", Object.class);

    private Outputs() {
    }

    @SuppressWarnings("unchecked")
    static <T> Event<T> out() {
        return (Event<T>) (Event<?>) OUT;
    }

    @SuppressWarnings("unchecked")
    static <T> Event<T> late() {
        return (Event<T>) (Event<?>) LATE;
    }
}
