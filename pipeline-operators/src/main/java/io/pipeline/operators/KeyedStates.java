package io.pipeline.operators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.Function;

/**
 * State per key, bounded: at most {@code maxKeys} keys, each forgotten once not touched for {@code idle} (clock
 * milliseconds, or event-time nanoseconds for {@link #touchAtEventTime}: one unit per instance). Keys are kept in a list from least to most recently touched, so that the eldest is found in O(1)
 * for eviction, for staleness and for dedup horizons. A hit on the key touched last costs one {@code equals}.
 *
 * <p>Not thread-safe: owned by one operator, used on the thread that delivers its messages.
 */
final class KeyedStates<S> {
    /** One key's entry: its state and when it was last touched, linked from eldest to newest. */
    static final class Node<S> {
        final Object key;
        S state;
        long touched;
        Node<S> prev;
        Node<S> next;

        Node(Object key, S state) {
            this.key = key;
            this.state = state;
        }
    }

    /**
     * {@link #touch} at the newest event time seen so far, {@code eventNanos} included: for operators whose
     * idleness is measured in event time (then the idle horizon is in nanoseconds too), without reading a clock
     * per value.
     */
    Node<S> touchAtEventTime(Object key, long eventNanos, Function<Object, S> create, Evicted<S> evicted) {
        if (eventNanos > newestEventNanos) {
            newestEventNanos = eventNanos;
        }
        return touch(key, newestEventNanos, create, evicted);
    }

    /** Told of every key evicted by the bound or by idleness, after it was unlinked. */
    @FunctionalInterface
    interface Evicted<S> {
        void evicted(Node<S> node);
    }

    private final HashMap<Object, Node<S>> nodes = new HashMap<>();
    private final int maxKeys;
    /** The idle horizon, in the unit of the times given to {@link #touch}. */
    private final long idleMillis;
    private Node<S> eldest;
    private Node<S> newest;
    private long evictions;
    private long newestEventNanos = Long.MIN_VALUE;

    KeyedStates(int maxKeys, long idleMillis) {
        this.maxKeys = maxKeys;
        this.idleMillis = idleMillis;
    }

    /**
     * The entry of {@code key}, created with {@code create} if absent, marked touched at {@code now} and made the
     * newest. Evicts idle keys and, past the bound, the eldest; {@code evicted} hears of each.
     */
    Node<S> touch(Object key, long now, Function<Object, S> create, Evicted<S> evicted) {
        Node<S> node = newest;
        if (node != null && node.key.equals(key)) {
            node.touched = now;
            if (eldest != node && now - eldest.touched >= idleMillis) {
                evictIdle(now, evicted);
            }
            return node;
        }
        node = nodes.get(key);
        if (node == null) {
            node = new Node<>(key, create.apply(key));
            nodes.put(key, node);
            link(node);
        } else {
            unlink(node);
            link(node);
        }
        node.touched = now;
        evictIdle(now, evicted);
        while (nodes.size() > maxKeys && eldest != node) {
            evict(eldest, evicted);
        }
        return node;
    }

    /** Evicts every key not touched for the idle horizon (a key touched now never is). */
    void evictIdle(long now, Evicted<S> evicted) {
        while (eldest != null && now - eldest.touched >= idleMillis) {
            evict(eldest, evicted);
        }
    }

    private void evict(Node<S> node, Evicted<S> evicted) {
        remove(node);
        evictions++;
        if (evicted != null) {
            evicted.evicted(node);
        }
    }

    Node<S> find(Object key) {
        return nodes.get(key);
    }

    void remove(Node<S> node) {
        if (nodes.remove(node.key) != null) {
            unlink(node);
        }
    }

    /** Moves {@code node} to the newest end without touching its time (insertion-ordered uses). */
    void moveToNewest(Node<S> node) {
        unlink(node);
        link(node);
    }

    Node<S> eldest() {
        return eldest;
    }

    int size() {
        return nodes.size();
    }

    long evictions() {
        return evictions;
    }

    /** A snapshot of the entries from eldest to newest, for scans that may change the list. */
    List<Node<S>> snapshot() {
        List<Node<S>> all = new ArrayList<>(nodes.size());
        for (Node<S> n = eldest; n != null; n = n.next) {
            all.add(n);
        }
        return all;
    }

    void clear() {
        nodes.clear();
        eldest = null;
        newest = null;
    }

    private void link(Node<S> node) {
        node.prev = newest;
        node.next = null;
        if (newest == null) {
            eldest = node;
        } else {
            newest.next = node;
        }
        newest = node;
    }

    private void unlink(Node<S> node) {
        if (node.prev == null) {
            eldest = node.next;
        } else {
            node.prev.next = node.next;
        }
        if (node.next == null) {
            newest = node.prev;
        } else {
            node.next.prev = node.prev;
        }
        node.prev = null;
        node.next = null;
    }
}
