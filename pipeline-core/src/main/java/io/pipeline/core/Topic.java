package io.pipeline.core;

import java.util.Arrays;

/**
 * The listeners of one event of one processor. Emits read a volatile array snapshot and never lock;
 * registration copies the array (listeners change rarely, messages often).
 */
final class Topic {
    private static final Subscriber[] NONE = new Subscriber[0];

    final ProcessorTopics owner;
    final Event<?> event;
    final boolean isError;
    private volatile Subscriber[] subscribers = NONE;

    Topic(ProcessorTopics owner, Event<?> event) {
        this.owner = owner;
        this.event = event;
        this.isError = event.equals(Processor.ERROR);
    }

    Subscriber[] subscribers() {
        return subscribers;
    }

    boolean isEmpty() {
        return subscribers.length == 0;
    }

    String processorName() {
        return owner.name;
    }

    synchronized void add(Subscriber subscriber) {
        Subscriber[] current = subscribers;
        Subscriber[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = subscriber;
        subscribers = next;
    }

    synchronized void remove(Subscriber subscriber) {
        Subscriber[] current = subscribers;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == subscriber) {
                Subscriber[] next = new Subscriber[current.length - 1];
                System.arraycopy(current, 0, next, 0, i);
                System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                subscribers = next;
                return;
            }
        }
    }

    synchronized void clear() {
        subscribers = NONE;
    }
}
