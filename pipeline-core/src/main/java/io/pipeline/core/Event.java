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
 */
public final class Event<T> {
    private final String name;
    private final Class<T> type;
    private final int hash;

    private Event(String name, Class<T> type) {
        this.name = name;
        this.type = type;
        this.hash = 31 * name.hashCode() + type.hashCode();
    }

    /**
     * Creates an event key.
     *
     * @throws IllegalArgumentException if {@code name} is blank or {@code type} is primitive
     */
    public static <T> Event<T> of(String name, Class<T> type) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank()) {
            throw new IllegalArgumentException("event name is blank");
        }
        if (type.isPrimitive()) {
            throw new IllegalArgumentException("event type must not be primitive: " + type + " (use its wrapper)");
        }
        return new Event<>(name, type);
    }

    /** The event's name, unique within the processor that emits it. */
    public String name() {
        return name;
    }

    /** The payload type. */
    public Class<T> type() {
        return type;
    }

    @Override
    public boolean equals(Object o) {
        return o == this
                || (o instanceof Event<?> other && hash == other.hash && name.equals(other.name) && type == other.type);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return name + "<" + type.getSimpleName() + ">";
    }
}
