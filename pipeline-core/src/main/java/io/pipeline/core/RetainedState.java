package io.pipeline.core;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * State that outlives a processor instance: one object per processor name, kept by the {@link MessageHandler}.
 * A {@link Flow} owns one handler and rebuilds a failed {@link Manager} on it, and the rebuilt manager names its
 * processors as before, so a stateful processor that keeps its state here (through
 * {@link Processor#retainedState}) picks up where its predecessor of the same name stopped: a window keeps its
 * values, an alert its open episode.
 *
 * <p>Each entry lives as long as the handler, or until {@link #forget(String)}. The store holds nothing but what
 * processors put in it, so its size is bounded by the number of processor names.
 *
 * <p>This class is thread-safe. The objects it holds are not made thread-safe by it: a processor hands its state
 * to its successor, and the handler delivers their messages one after the other (on the loop thread of an
 * {@link AsyncDispatcher}; under a {@link SyncDispatcher}, on the emitting thread once the old source stopped).
 */
public final class RetainedState {
    private final ConcurrentHashMap<String, Object> states = new ConcurrentHashMap<>();

    RetainedState() {
    }

    /** The store of {@code handler}. */
    public static RetainedState of(MessageHandler handler) {
        return Dispatcher.of(handler).retainedState();
    }

    /**
     * The state kept under {@code processorName}: the one already there if it is a {@code type}, otherwise a new
     * one from {@code initial}, which replaces whatever was there.
     *
     * @throws NullPointerException if {@code initial} returns null
     */
    public <S> S get(String processorName, Class<S> type, Supplier<? extends S> initial) {
        Objects.requireNonNull(processorName, "processorName");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(initial, "initial");
        Object state = states.compute(processorName, (name, old) -> type.isInstance(old)
                ? old : Objects.requireNonNull(initial.get(), "initial state of '" + name + "' is null"));
        return type.cast(state);
    }

    /** Replaces the state kept under {@code processorName} with {@code state}. */
    public void put(String processorName, Object state) {
        states.put(Objects.requireNonNull(processorName, "processorName"), Objects.requireNonNull(state, "state"));
    }

    /** Drops the state kept under {@code processorName}, if any: its next processor starts fresh. */
    public void forget(String processorName) {
        states.remove(Objects.requireNonNull(processorName, "processorName"));
    }

    /** Whether state is kept under {@code processorName}. */
    public boolean contains(String processorName) {
        return states.containsKey(Objects.requireNonNull(processorName, "processorName"));
    }

    /** How many processor names have state kept. */
    public int size() {
        return states.size();
    }

    @Override
    public String toString() {
        return "RetainedState" + states.keySet();
    }
}
