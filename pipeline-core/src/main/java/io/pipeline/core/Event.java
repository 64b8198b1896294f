package io.pipeline.core;

import java.util.Objects;

/**
 * A named, typed event key: what a {@link Processor} emits and what listeners subscribe to.
 *
 * <p>Events are scoped by the emitting processor, so {@code source.on(RestSource.DATA, ...)} hears only the
 * {@code DATA} events of that source. Two events are equal when their names and payload types are equal.
 *
 * <pre>{@code
 * static final Event<Price> PRICE = Event.of("price", Price.class);
 * }</pre>
 *
 * <p>Instances are immutable and safe for concurrent use.
 *
 * @param <T> the payload type
 * @param name the event's name, unique within the processor that emits it
 * @param type the payload type
 */
public record Event<T>(String name, Class<T> type) {
    // A record, not a class with final fields: the JIT trusts a record's final fields as constants, so for an event
    // held in a static final field (the way processors declare them) type() is a constant, and the emit path's
    // type check of a payload whose class the JIT knows folds away (see InlineDelivery).

    /**
     * Creates an event key; the same as {@link #of}.
     *
     * @param name the event's name, unique within the processor that emits it
     * @param type the payload type
     * @throws IllegalArgumentException if {@code name} is blank or {@code type} is primitive
     */
    public Event {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank()) {
            throw new IllegalArgumentException("event name is blank");
        }
        if (type.isPrimitive()) {
            throw new IllegalArgumentException("event type must not be primitive: " + type + " (use its wrapper)");
        }
    }

    /**
     * Creates an event key.
     *
     * @throws IllegalArgumentException if {@code name} is blank or {@code type} is primitive
     */
    public static <T> Event<T> of(String name, Class<T> type) {
        return new Event<>(name, type);
    }

    /** The event's name, unique within the processor that emits it. */
    @Override
    public String name() {
        return name;
    }

    /** The payload type. */
    @Override
    public Class<T> type() {
        return type;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof Event<?> other && type == other.type && name.equals(other.name));
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + type.hashCode();
    }

    @Override
    public String toString() {
        return name + "<" + type.getSimpleName() + ">";
    }
}
