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
    /** Every topic, in creation order: what counting walks without allocating; written under this object's lock. */
    private volatile Topic[] all = NONE;

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
            topic = topics.get(event);
            if (topic != null) {
                return topic;
            }
            topic = new Topic(this, event);
            topics.put(event, topic);
            Topic[] every = all;
            Topic[] more = Arrays.copyOf(every, every.length + 1);
            more[every.length] = topic;
            all = more;
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

    /**
     * The emit count last seen by {@link #observeEmits} or {@link #stampEmits}, and when it was first seen (epoch
     * millis; 0: never). Written under this object's lock; {@code seenEmits} is volatile for the stamp's quick test.
     */
    private volatile long seenEmits;
    private long lastEmitMillis;

    /**
     * Looks at the emit counts of these topics: if they grew since the last look, {@code nowMillis} becomes the
     * time of the last emit. Emits are not stamped one by one (reading a clock per emit would cost more than the
     * emit); a source's piece of emitting work is ({@link #stampEmits}), and for the rest the flow looks at every
     * watchdog check and every metrics snapshot, so the time is late by at most the time between two looks.
     * Returns the time of the last emit seen, 0 if none.
     */
    synchronized long observeEmits(long nowMillis) {
        long emits = emitCount();
        if (emits != seenEmits) {
            seenEmits = emits;
            lastEmitMillis = nowMillis;
        }
        return lastEmitMillis;
    }

    /**
     * The emitting thread's stamp ({@link Source#endEmitting()}): if the emit count grew since the last look, the
     * last emit was now on {@code clock}. Takes the lock only when it did.
     */
    void stampEmits(java.time.Clock clock) {
        if (emitCount() == seenEmits) {
            return;
        }
        observeEmits(clock.millis());
    }

    /** How many messages, error events aside, these topics have emitted; 0 without metrics. Reads only. */
    long emitCount() {
        long emits = 0;
        for (Topic topic : all) { // an array, not the map's values: the stamp runs once per piece of emitting work
            if (topic.stats != null && !topic.isError) {
                emits += topic.stats.emits();
            }
        }
        return emits;
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
