package io.pipeline.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded, lock-free FIFO of (target, payload) pairs for many producers and one consumer. Producers claim a
 * position with one CAS on {@code tail}; the consumer takes one pair at a time. Two layouts, chosen at construction:
 *
 * <ul>
 *   <li><b>Sole taker</b> (the consumer is the only thread that ever takes; every overflow policy but
 *       {@link Overflow#DROP_OLDEST}): after JCTools' {@code MpscArrayQueue}. A slot is just its two references, and
 *       the target doubles as the "published" flag (written last, with a release store; {@code null} = not yet
 *       published or already taken). A producer checks for room against a limit it caches beside {@code tail}
 *       ({@code head + capacity} as last read), so it reads the consumer's {@code head} only about once a lap; the
 *       consumer nulls the slot and advances {@code head} with a release store. Per message both sides touch one
 *       8-byte slot: a cache line carries eight messages between the two cores.</li>
 *   <li><b>Shared taking</b> ({@link Overflow#DROP_OLDEST}: a producer may take the oldest pair, {@link #pollOldest},
 *       while the consumer drains): after Dmitry Vyukov's bounded queue, as in JCTools' {@code MpmcArrayQueue}: each
 *       slot also carries a sequence number that says whose turn it is, and takers claim a position with a CAS on
 *       {@code head}.</li>
 * </ul>
 *
 * <p>{@link #close()} atomically stops every later {@link #offer}; pairs whose position was claimed before it are
 * still published and taken, so after close the consumer can tell when it has seen the last pair
 * ({@link #isDrained()}).
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
    /** Per slot, whose turn it is; shared taking only ({@code null} for a sole taker). */
    private final long[] sequences;
    private final Object[] pairs;

    /** A ring whose oldest pair producers may take ({@link #pollOldest}) while the consumer drains. */
    BoundedRing(int capacity) {
        this(capacity, false);
    }

    /**
     * @param soleTaker whether the consumer is the only thread that ever takes pairs: then the ring uses the
     *                  sole-taker layout (no sequence numbers, head advanced with a release store instead of a CAS),
     *                  and {@link #pollOldest} may be called only by the consumer itself
     */
    BoundedRing(int capacity, boolean soleTaker) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity <= 0: " + capacity);
        }
        this.capacity = capacity;
        this.soleTaker = soleTaker;
        this.length = Math.max(2, capacity);
        this.mask = Integer.bitCount(length) == 1 ? length - 1 : -1;
        this.pairs = new Object[length * 2];
        if (soleTaker) {
            this.sequences = null;
        } else {
            this.sequences = new long[length];
            for (int i = 0; i < length; i++) {
                sequences[i] = i;
            }
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
        return soleTaker ? offerToSoleTaker(target, payload) : offerSequenced(target, payload);
    }

    private int offerToSoleTaker(T target, Object payload) {
        while (true) {
            long t = tail;
            if ((t & CLOSED_BIT) != 0) {
                return CLOSED;
            }
            if (t >= producerLimit) {
                // Any limit read from head is one that head has passed: a producer that stores an older one than
                // another's only makes the next offer read head again, never lets it past the consumer.
                long limit = head + capacity;
                if (t >= limit) {
                    return FULL;
                }
                producerLimit = limit;
            }
            if (casTail(t, t + 1)) {
                int i = index(t);
                // Position t - length was taken and its slot nulled before head passed it (release store of head,
                // read above or by the producer that wrote the cached limit): the slot is ours.
                ELEMENT.set(pairs, 2 * i + 1, payload);
                ELEMENT.setRelease(pairs, 2 * i, target);
                return OK;
            }
        }
    }

    private int offerSequenced(T target, Object payload) {
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
        if (soleTaker) {
            // The slot of p holds the pair of p - length until the consumer takes it (or p's own, should producers
            // have claimed and published that far meanwhile); null also while p - length is claimed and not yet
            // published, so this is only a hint, which offer checks against head.
            return ELEMENT.getAcquire(pairs, 2 * index(p)) == null;
        }
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
    int drain(Sink<? super T> sink, int max) {
        return soleTaker ? drainAsSoleTaker(sink, max) : drainSequenced(sink, max);
    }

    @SuppressWarnings("unchecked")
    private int drainAsSoleTaker(Sink<? super T> sink, int max) {
        int n = 0;
        while (n < max) {
            long h = head;
            int i = index(h);
            T target = (T) ELEMENT.getAcquire(pairs, 2 * i);
            if (target == null) {
                return n; // empty, or the oldest claimed pair is not yet published
            }
            Object payload = ELEMENT.get(pairs, 2 * i + 1);
            ELEMENT.set(pairs, 2 * i, null);
            ELEMENT.set(pairs, 2 * i + 1, null);
            setHead(h + 1); // release: a producer that sees this room sees the slot nulled
            n++;
            sink.accept(target, payload);
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private int drainSequenced(Sink<? super T> sink, int max) {
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
            if (!casHead(h, h + 1)) {
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
        if (soleTaker) {
            long h = head;
            int i = index(h);
            T target = (T) ELEMENT.getAcquire(pairs, 2 * i);
            if (target != null) {
                ELEMENT.set(pairs, 2 * i, null);
                ELEMENT.set(pairs, 2 * i + 1, null);
                setHead(h + 1);
            }
            return target;
        }
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

    /** The position the next claim gets: every pair offered successfully before this call is below it. */
    long claimedPosition() {
        return tail & ~CLOSED_BIT;
    }

    /** The position of the next pair to take: every pair below it has been taken (handed over, or dropped). */
    long takenPosition() {
        return head;
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
    /**
     * Sole taker: {@code head + capacity} as some producer last read it, so that producers read the consumer's
     * {@code head} about once a lap instead of once per offer. Any value written is a bound head has already allowed;
     * volatile (as JCTools' producer limit is ordered) so that a producer using another's limit also sees the slots the
     * consumer nulled before that head: consumer's nulls → head (release) → the other producer's read of head → its
     * write of the limit → this producer's read of it → its writes to the slot. Written about once a lap; beside
     * {@code tail}, which producers write anyway.
     */
    volatile long producerLimit;

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
