package io.pipeline.core;

import java.util.concurrent.ConcurrentHashMap;

/** The topics of one processor name: events are scoped by the emitting processor's name. */
final class ProcessorTopics {
    final String name;
    private final ConcurrentHashMap<Event<?>, Topic> topics = new ConcurrentHashMap<>();

    ProcessorTopics(String name) {
        this.name = name;
    }

    /** The topic of {@code event}, or {@code null} when nobody ever subscribed to it. Allocation-free. */
    Topic find(Event<?> event) {
        return topics.get(event);
    }

    Topic topic(Event<?> event) {
        return topics.computeIfAbsent(event, e -> new Topic(this, e));
    }

    int listenerCount(Event<?> event) {
        Topic topic = topics.get(event);
        return topic == null ? 0 : topic.subscribers().length;
    }

    void clear() {
        topics.values().forEach(Topic::clear);
    }
}
