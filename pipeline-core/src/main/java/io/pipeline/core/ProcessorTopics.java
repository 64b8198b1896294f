package io.pipeline.core;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The topics of one processor name: events are scoped by the emitting processor's name. Emits resolve their topic
 * by scanning a small copy-on-write array for the identical {@link Event} (processors declare their events as
 * constants, so this is the common case and costs no hashing); an equal but distinct {@code Event} instance falls
 * back to the map.
 */
final class ProcessorTopics {
    private static final Topic[] NONE = new Topic[0];
    /** Beyond this many topics the array scan stops paying off; the map answers alone. */
    private static final int MAX_SCANNED = 16;

    final String name;
    final Dispatcher dispatcher;
    private final ConcurrentHashMap<Event<?>, Topic> topics = new ConcurrentHashMap<>();
    private volatile Topic[] scanned = NONE;
    /** Set when a {@link Source} has this name: the clock its topics stamp emits with. */
    private volatile java.time.Clock sourceClock;

    ProcessorTopics(String name, Dispatcher dispatcher) {
        this.name = name;
        this.dispatcher = dispatcher;
    }

    /** The topic of {@code event}, or {@code null} when nobody ever subscribed to it. Allocation-free. */
    Topic find(Event<?> event) {
        for (Topic topic : scanned) {
            if (topic.event == event) {
                return topic;
            }
        }
        return findEqual(event);
    }

    /** Out of line, so that the common identity hit stays small enough to inline everywhere. */
    private Topic findEqual(Event<?> event) {
        return topics.get(event);
    }

    Topic topic(Event<?> event) {
        Topic topic = topics.get(event);
        if (topic != null) {
            return topic;
        }
        synchronized (this) {
            topic = topics.computeIfAbsent(event, e -> new Topic(this, e));
            Topic[] current = scanned;
            if (current.length < MAX_SCANNED && !Arrays.asList(current).contains(topic)) {
                Topic[] next = Arrays.copyOf(current, current.length + 1);
                next[current.length] = topic;
                scanned = next;
            }
            return topic;
        }
    }

    /** The counters a source of this name keeps ({@link Source#counter}), by name; they outlive restarts. */
    private final java.util.concurrent.ConcurrentSkipListMap<String, SourceCounter> counters =
            new java.util.concurrent.ConcurrentSkipListMap<>();

    SourceCounter counter(String counterName) {
        return counters.computeIfAbsent(counterName, SourceCounter::new);
    }

    /** The value of every source counter, by name. */
    java.util.Map<String, Long> counterValues() {
        java.util.Map<String, Long> values = new java.util.TreeMap<>();
        counters.forEach((counterName, counter) -> values.put(counterName, counter.value()));
        return values;
    }

    /** When a source of this name last emitted (epoch millis), 0 if never. */
    long lastEmitMillis() {
        long last = 0;
        for (Topic topic : topics.values()) {
            if (topic.stats != null) {
                last = Math.max(last, topic.stats.lastEmitMillis());
            }
        }
        return last;
    }

    /** Marks these topics as a source's: their emits are stamped with {@code clock} (for the stall watchdog). */
    void markSource(java.time.Clock clock) {
        sourceClock = clock;
    }

    java.time.Clock sourceClock() {
        return sourceClock;
    }

    boolean isSource() {
        return sourceClock != null;
    }

    /** Every topic, for metrics; a snapshot. */
    java.util.List<Topic> allTopics() {
        return java.util.List.copyOf(topics.values());
    }

    int listenerCount(Event<?> event) {
        Topic topic = find(event);
        return topic == null ? 0 : topic.subscribers().length;
    }

    void clear() {
        topics.values().forEach(Topic::clear);
    }

    /** Recomputes every topic's direct listener; called when the dispatcher closes. */
    void refreshDirectListeners() {
        topics.values().forEach(Topic::refreshDirectListener);
    }
}
