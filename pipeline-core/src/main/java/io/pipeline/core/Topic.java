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
    /**
     * The listeners themselves when every subscriber is a plain, permanent listener (the common case), else
     * {@code null}: lets a synchronous emit call them without going through their {@link Subscriber}s.
     * Written together with {@link #subscribers}.
     */
    private volatile Listener<Object>[] plainListeners = noListeners();
    /** The only listener when {@link #plainListeners} holds exactly one (the most common wiring), else null. */
    private volatile Listener<Object> soleListener;
    /**
     * {@link #soleListener} when the dispatcher lets emitters call it directly (an open {@link SyncDispatcher}),
     * else null: {@link Processor#emit}'s fast path, which then needs no other check of the dispatcher.
     */
    private volatile Listener<Object> directListener;
    /**
     * A payload class already found to be an instance of {@link #event}'s type: checking a payload's class for
     * identity with it is cheaper than a subtype test. A plain field: a stale value only costs the full check.
     */
    Class<?> acceptedClass;

    Topic(ProcessorTopics owner, Event<?> event) {
        this.owner = owner;
        this.event = event;
        this.isError = event.equals(Processor.ERROR);
    }

    Subscriber[] subscribers() {
        return subscribers;
    }

    Listener<Object>[] plainListeners() {
        return plainListeners;
    }

    Listener<Object> soleListener() {
        return soleListener;
    }

    Listener<Object> directListener() {
        return directListener;
    }

    /** Remembers that {@code payloadClass} passed the type check of this topic's event. */
    void accepted(Class<?> payloadClass) {
        if (acceptedClass != payloadClass) {
            acceptedClass = payloadClass;
        }
    }

    @SuppressWarnings("unchecked")
    private static Listener<Object>[] noListeners() {
        return (Listener<Object>[]) new Listener<?>[0];
    }

    /** Publishes a new subscriber array and its plain-listener view. Called while holding this topic's lock. */
    @SuppressWarnings("unchecked")
    private void publish(Subscriber[] next) {
        Listener<Object>[] listeners = (Listener<Object>[]) new Listener<?>[next.length];
        for (int i = 0; i < next.length; i++) {
            listeners[i] = next[i].plainListener();
            if (listeners[i] == null) {
                listeners = null;
                break;
            }
        }
        plainListeners = listeners;
        soleListener = listeners != null && listeners.length == 1 ? listeners[0] : null;
        subscribers = next;
        refreshDirectListener();
    }

    /** Called while holding this topic's lock, or to take it after the dispatcher closed. */
    synchronized void refreshDirectListener() {
        directListener = owner.dispatcher.allowsDirectCalls() ? soleListener : null;
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
        publish(next);
    }

    synchronized void remove(Subscriber subscriber) {
        Subscriber[] current = subscribers;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == subscriber) {
                Subscriber[] next = new Subscriber[current.length - 1];
                System.arraycopy(current, 0, next, 0, i);
                System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                publish(next);
                return;
            }
        }
    }

    synchronized void clear() {
        publish(NONE);
    }
}
