package io.pipeline.core;

import java.util.concurrent.atomic.LongAdder;

/**
 * A named counter a {@link Source} keeps of its own work — polls, reconnects, bytes, ticks — obtained from
 * {@link Source#counter(String)} and exported in {@link FlowMetrics} (as {@link SourceMetrics#counters()}), over JMX
 * and by the Micrometer binding. A counter belongs to the source's <em>name</em> on its handler, not to one
 * instance: a source rebuilt by a restart gets the same counter back, so the value only grows.
 *
 * <p>This class is thread-safe; {@link #increment()} and {@link #add(long)} never block (a {@link LongAdder}).
 */
public final class SourceCounter {
    private final String name;
    private final LongAdder value = new LongAdder();

    SourceCounter(String name) {
        this.name = name;
    }

    /** The counter's name, as given to {@link Source#counter(String)}. */
    public String name() {
        return name;
    }

    /** Adds one. */
    public void increment() {
        value.increment();
    }

    /**
     * Adds {@code amount}.
     *
     * @throws IllegalArgumentException if {@code amount} is negative: counters only grow
     */
    public void add(long amount) {
        if (amount < 0) {
            throw new IllegalArgumentException("amount < 0: " + amount + " (counter '" + name + "' only grows)");
        }
        value.add(amount);
    }

    /** The current value. */
    public long value() {
        return value.sum();
    }

    @Override
    public String toString() {
        return name + "=" + value();
    }
}
