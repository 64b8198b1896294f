package io.pipeline.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded, lock-free FIFO of (target, payload) pairs for many producers and one consumer, after Dmitry Vyukov's
 * bounded queue (as in JCTools): each slot carries a sequence number that says whose turn it is, producers claim a
 * position with one CAS on {@code tail}, the consumer claims one pair at a time with one CAS on {@code head}.
 *
 * <p>Besides the consumer, a producer may take the oldest pair ({@link #pollOldest}, for
 * {@link Overflow#DROP_OLDEST}), so taking is safe for several threads too — unless the ring was built for a sole
 * taker, whose consumer then frees positions without a CAS. {@link #close()} atomically stops
 * every later {@link #offer}; pairs whose position was claimed before it are still published and taken, so after
 * close the consumer can tell when it has seen the last pair ({@link #isDrained()}).
 *
 * <p>Never holds more than {@link #capacity()} pairs. Thread-safe.
 */
final class BoundedRing<T> extends BoundedRingHead {
    /** Results of {@link #offer}. */
    static final int OK = 0;
    static final int FULL = 1;
    static final int CLOSED = 2;

    private static final long CLOSED_BIT = 1L << 62;
    private static final VarHandle SEQUENCE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle ELEMENT = MethodHandles.arrayElementVarHandle(Object[].class);

    private final int capacity;
    private final boolean soleTaker;
    /**
     * Slots in the ring: the capacity, but at least two (with one slot, "published at p" and "free for p + 1"
     * would be the same sequence number). A one-message ring enforces its bound by comparing tail and head.
     */
    private final int length;
    private final int mask; // length - 1 when length is a power of two, else -1
    private final long[] sequences;
    private final Object[] pairs;

    /** A ring whose oldest pair producers may take ({@link #pollOldest}) while the consumer drains. */
    BoundedRing(int capacity) {
        this(capacity, false);
    }

    /**
     * @param soleTaker whether the consumer is the only thread that ever takes pairs: then it frees its position
     *                  in {@code head} with a release store instead of a CAS, and {@link #pollOldest} may be called
     *                  only by the consumer itself
     */
    BoundedRing(int capacity, boolean soleTaker) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity <= 0: " + capacity);
        }
        this.capacity = capacity;
        this.soleTaker = soleTaker;
        this.length = Math.max(2, capacity);
        this.mask = Integer.bitCount(length) == 1 ? length - 1 : -1;
        this.sequences = new long[length];
        this.pairs = new Object[length * 2];
        for (int i = 0; i < length; i++) {
            sequences[i] = i;
        }
        VarHandle.releaseFence();
    }

    int capacity() {
        return capacity;
    }

    private int index(long position) {
        return mask >= 0 ? (int) position & mask : (int) (position % length);
    }

    /**
     * Appends a pair unless the ring is full or closed. Never blocks; may spin briefly while the consumer is
     * freeing a slot it has already taken.
     *
     * @return {@link #OK}, {@link #FULL} or {@link #CLOSED}
     */
    int offer(T target, Object payload) {
        while (true) {
            long t = tail;
            if ((t & CLOSED_BIT) != 0) {
                return CLOSED;
            }
            int i = index(t);
            long sequence = (long) SEQUENCE.getAcquire(sequences, i);
            if (sequence == t) {
                if (length != capacity && t - head >= capacity) {
                    return FULL;
                }
                if (casTail(t, t + 1)) {
                    ELEMENT.set(pairs, 2 * i, target);
                    ELEMENT.set(pairs, 2 * i + 1, payload);
                    SEQUENCE.setRelease(sequences, i, t + 1);
                    return OK;
                }
            } else if (sequence < t) {
                // The slot still holds the pair from one lap ago: full, unless that pair was already taken and
                // is being freed right now.
                if (t - head >= capacity) {
                    return FULL;
                }
                Thread.onSpinWait();
            }
            // sequence > t: another producer claimed t; reload.
        }
    }

    /**
     * Whether the position {@code ahead - 1} places past the tail has been freed, so that the next {@code ahead}
     * offers would find room (a hint: other producers may take it first). Reads one slot's sequence, which the
     * consumer writes once when it frees that slot: a producer waiting on a full ring can poll this without pulling
     * the cache lines the consumer is working on, which polling {@link #offer} (at the slot the consumer frees next)
     * or {@code head} (written per message) would. True when closed, so that the next offer reports it.
     *
     * @param ahead from 1 to {@link #capacity()}
     */
    boolean roomFor(int ahead) {
        long t = tail;
        if ((t & CLOSED_BIT) != 0) {
            return true;
        }
        long p = t + ahead - 1;
        // Position p - length was claimed before the tail passed it: its slot holds p - length (claimed, not yet
        // published), p - length + 1 (published, not taken) or p (taken and freed for p).
        return (long) SEQUENCE.getAcquire(sequences, index(p)) >= p;
    }

    /** Receives the pairs {@link #drain} takes. */
    @FunctionalInterface
    interface Sink<T> {
        void accept(T target, Object payload);
    }

    /**
     * Takes up to {@code max} pairs in FIFO order, one at a time: each pair's slot is freed before it is handed to
     * {@code sink}, and the next pair is claimed only after {@code sink} returns. So the ring and the one pair being
     * handled never hold more than {@link #capacity()} + 1 pairs, and everything not yet handed over can still be
     * taken by {@link #pollOldest}. A pair's claim costs one CAS on {@code head} (contended only by
     * {@code pollOldest}), or a release store when the consumer is the {@code soleTaker}.
     *
     * @return how many pairs were handed to {@code sink}
     */
    @SuppressWarnings("unchecked")
    int drain(Sink<? super T> sink, int max) {
        int n = 0;
        while (n < max) {
            long h = head;
            int i = index(h);
            if ((long) SEQUENCE.getAcquire(sequences, i) != h + 1) {
                if (h == head) {
                    return n; // empty, or the oldest is not yet published
                }
                continue;
            }
            if (soleTaker) {
                setHead(h + 1);
            } else if (!casHead(h, h + 1)) {
                continue; // a producer dropped the oldest pair
            }
            T target = (T) ELEMENT.get(pairs, 2 * i);
            Object payload = ELEMENT.get(pairs, 2 * i + 1);
            ELEMENT.set(pairs, 2 * i, null);
            ELEMENT.set(pairs, 2 * i + 1, null);
            SEQUENCE.setRelease(sequences, i, h + length);
            n++;
            sink.accept(target, payload);
        }
        return n;
    }

    /** Takes the oldest published pair's target (discarding its payload), or {@code null} if there is none. */
    @SuppressWarnings("unchecked")
    T pollOldest() {
        while (true) {
            long h = head;
            int i = index(h);
            long sequence = (long) SEQUENCE.getAcquire(sequences, i);
            if (sequence != h + 1) {
                if (sequence < h + 1 && h == head) {
                    return null; // empty, or the oldest is not yet published
                }
                continue;
            }
            if (casHead(h, h + 1)) {
                T target = (T) ELEMENT.get(pairs, 2 * i);
                ELEMENT.set(pairs, 2 * i, null);
                ELEMENT.set(pairs, 2 * i + 1, null);
                SEQUENCE.setRelease(sequences, i, h + length);
                return target;
            }
        }
    }

    /** Pairs claimed and not yet taken; between 0 and {@link #capacity()}. */
    int size() {
        long h = head;
        long t = tail & ~CLOSED_BIT;
        return (int) Math.max(0, Math.min(capacity, t - h));
    }

    /** Whether a producer has claimed a position the consumer has not taken yet (published or not). */
    boolean hasClaimed() {
        return (tail & ~CLOSED_BIT) != head;
    }

    /** Makes every later {@link #offer} return {@link #CLOSED}. Idempotent. */
    void close() {
        while (true) {
            long t = tail;
            if ((t & CLOSED_BIT) != 0 || casTail(t, t | CLOSED_BIT)) {
                return;
            }
        }
    }

    boolean isClosed() {
        return (tail & CLOSED_BIT) != 0;
    }

    /** Closed, and every pair accepted before closing has been taken. */
    boolean isDrained() {
        long t = tail;
        return (t & CLOSED_BIT) != 0 && (t & ~CLOSED_BIT) == head;
    }
}

// Padding keeps the producers' tail and the consumer's head on separate cache lines (the JCTools layout:
// HotSpot lays out superclass fields first).
abstract class BoundedRingPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class BoundedRingTail extends BoundedRingPad0 {
    private static final VarHandle TAIL;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(BoundedRingTail.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    volatile long tail;

    final boolean casTail(long expected, long next) {
        return TAIL.compareAndSet(this, expected, next);
    }
}

abstract class BoundedRingPad1 extends BoundedRingTail {
    long p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p30, p31, p32, p33, p34, p35;
}

abstract class BoundedRingHead extends BoundedRingPad1 {
    private static final VarHandle HEAD;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(BoundedRingHead.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    volatile long head;
    long p40, p41, p42, p43, p44, p45, p46, p47, p48, p49, p50, p51, p52, p53, p54, p55;

    final boolean casHead(long expected, long next) {
        return HEAD.compareAndSet(this, expected, next);
    }

    /** Only for the sole taker: nobody else writes {@code head}. */
    final void setHead(long next) {
        HEAD.setRelease(this, next);
    }
}
