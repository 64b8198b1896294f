package io.pipeline.core;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The producer side of an {@link AsyncDispatcher}: admits messages from threads other than the loop thread into the
 * bounded ring, applies the {@link Overflow} policy when it is full, and wakes the loop.
 *
 * <h2>BLOCK, fairly</h2>
 * A producer facing a full ring spins for up to {@link #FULL_SPIN_NANOS} (the loop frees room within
 * microseconds; parking costs a futex round trip on both sides), offering again only once a stretch of room
 * ({@code roomAhead} slots) was freed, then parks in a FIFO of waiting producers. Only the
 * producer at the head of that FIFO may take room, and while anyone waits, newcomers (and producers still
 * spinning) join the FIFO instead of offering: so a parked producer — a timer thread, say — is never starved by
 * one that spins. The loop signals the waiters once the ring is at most half full ({@link #roomFreed}), so one
 * wake-up buys room for many messages; each producer leaving the FIFO signals the next.
 *
 * <p>Thread-safe: called by any number of producers; {@link #roomFreed} by the loop thread only.
 */
final class Admission {
    /**
     * How long a producer facing a full ring under BLOCK keeps retrying before it parks. Measured: steadier and
     * faster than yielding a few times and then parking (docs/BENCHMARKS.md).
     */
    static final long FULL_SPIN_NANOS = 50_000;
    /** A mask: the spinning producer reads the clock once in 64 spins (a clock read costs more than a spin). */
    private static final int CLOCK_EVERY_SPINS = 63;
    /**
     * How much room a producer that found the ring full waits for before it offers again: a quarter of the
     * capacity, at most one {@link DeliveryLoop#STEP} (the loop frees that much within microseconds).
     */
    private final int roomAhead;

    private final BoundedRing<Target> ring;
    private final Overflow overflow;
    private final DeliveryLoop loop;
    /** Builds the exception thrown when the ring is closed: closed, or dead of a fatal error. */
    private final Supplier<IllegalStateException> closed;
    private final AtomicLong dropped = new AtomicLong();
    /** Emits refused for lack of room: FAIL when full, BLOCK interrupted while waiting; slow path only. */
    private final java.util.concurrent.atomic.LongAdder rejected = new java.util.concurrent.atomic.LongAdder();
    /** Time producers waited for room, and how many waited: slow path only. */
    private final java.util.concurrent.atomic.LongAdder blockedNanos = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder blockedEmits = new java.util.concurrent.atomic.LongAdder();
    /** Whether a producer ever found the ring full: the high-water mark is then the capacity. */
    private volatile boolean sawFull;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    /** Producers parked for room, in arrival order; guarded by {@link #lock}. */
    private final ArrayDeque<Thread> waiters = new ArrayDeque<>();
    /** {@code waiters.size()}, readable without the lock; written under it. */
    private volatile int waiting;
    /**
     * Whether the loop has signalled the waiters since one of them last went to sleep: set by the loop as it
     * signals, cleared under {@link #lock} by a waiter before each {@code await}. While set, the loop does not signal
     * again: a woken producer may take a while to run (longer on a busy machine), and until it leaves the FIFO
     * {@link #waiting} stays positive, which would otherwise cost the loop the lock and a fence on every message.
     */
    private volatile boolean signalled;

    Admission(BoundedRing<Target> ring, Overflow overflow, DeliveryLoop loop, Supplier<IllegalStateException> closed) {
        this.ring = ring;
        this.overflow = overflow;
        this.loop = loop;
        this.closed = closed;
        this.roomAhead = Math.max(1, Math.min(DeliveryLoop.STEP, ring.capacity() / 4));
    }

    long dropped() {
        return dropped.get();
    }

    long rejected() {
        return rejected.sum();
    }

    long blockedNanos() {
        return blockedNanos.sum();
    }

    long blockedEmits() {
        return blockedEmits.sum();
    }

    boolean sawFull() {
        return sawFull;
    }

    /**
     * Admits one message or applies the overflow policy.
     *
     * @throws IllegalStateException if the dispatcher is closed or dead (also when it closes while this waits)
     * @throws RejectedExecutionException under {@link Overflow#FAIL} when full, or when interrupted while waiting
     */
    void admit(Target target, Object payload) {
        int result = waiting == 0 ? ring.offer(target, payload) : BoundedRing.FULL;
        if (result != BoundedRing.OK) {
            admitSlow(result, target, payload);
        }
        loop.wake();
    }

    private void admitSlow(int result, Target target, Object payload) {
        if (result == BoundedRing.CLOSED) {
            throw closed.get();
        }
        if (!sawFull && result == BoundedRing.FULL && waiting == 0) {
            sawFull = true;
        }
        switch (overflow) {
            case BLOCK -> {
                long since = System.nanoTime();
                int admitted;
                try {
                    admitted = awaitRoom(target, payload);
                } finally {
                    blockedNanos.add(System.nanoTime() - since);
                    blockedEmits.increment();
                }
                if (admitted == BoundedRing.CLOSED) {
                    throw closed.get();
                }
            }
            case DROP_NEWEST -> {
                dropped.incrementAndGet();
                reject(target);
            }
            case DROP_OLDEST -> dropOldestAndOffer(target, payload);
            case FAIL -> {
                rejected.increment();
                throw new RejectedExecutionException("queue full (capacity " + ring.capacity()
                    + "): message for event '" + target.topic().event.name() + "' of processor '"
                    + target.topic().processorName() + "' rejected");
            }
        }
    }

    private void dropOldestAndOffer(Target target, Object payload) {
        int result;
        while ((result = ring.offer(target, payload)) == BoundedRing.FULL) {
            Target oldest = ring.pollOldest();
            if (oldest != null) {
                dropped.incrementAndGet();
                reject(oldest);
            }
        }
        if (result == BoundedRing.CLOSED) {
            throw closed.get();
        }
    }

    private void reject(Target target) {
        Completion completion = target.completion();
        if (completion != null) {
            completion.future.completeExceptionally(
                    new RejectedExecutionException("message dropped by overflow policy " + overflow));
        }
    }

    /** BLOCK: spin a moment (unless others already wait), then wait for this producer's turn in the FIFO. */
    private int awaitRoom(Target target, Object payload) {
        long since = System.nanoTime();
        int spins = 0;
        while (waiting == 0) {
            Thread.onSpinWait();
            // Offer again only once a stretch of room was freed: retrying at every freed slot keeps this producer
            // writing the slot next to the one the loop is taking, so both pull the same cache lines back and
            // forth for every message (docs/BENCHMARKS.md, "AsyncDispatcher against RxJava observeOn, after …").
            if (ring.roomFor(roomAhead)) {
                int result = ring.offer(target, payload);
                if (result != BoundedRing.FULL) {
                    return result;
                }
            }
            if ((++spins & CLOCK_EVERY_SPINS) == 0 && System.nanoTime() - since >= FULL_SPIN_NANOS) {
                break;
            }
        }
        Thread me = Thread.currentThread();
        lock.lock();
        try {
            waiters.add(me);
            waiting = waiters.size();
            try {
                while (true) {
                    // Cleared before this waiter looks at the ring, under the lock: either it sees the room the loop
                    // freed, or the loop (after its fence) sees the flag cleared and signals — after this await, as
                    // signalling takes the lock.
                    signalled = false;
                    if (ring.isClosed()) {
                        return BoundedRing.CLOSED;
                    }
                    if (waiters.peek() == me) {
                        // The write of 'waiting' above and the loop's fence after freeing room pair up: either
                        // this offer sees the room, or the loop sees a waiting producer and signals.
                        int result = ring.offer(target, payload);
                        if (result != BoundedRing.FULL) {
                            return result;
                        }
                    }
                    notFull.await();
                }
            } finally {
                waiters.remove(me);
                waiting = waiters.size();
                notFull.signalAll(); // the next in line takes its turn
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rejected.increment();
            throw new RejectedExecutionException(
                    "interrupted while waiting for space in the queue; message not accepted");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether any producer is parked for room and has not been signalled since; a cheap hint, {@link #roomFreed}
     * decides.
     */
    boolean hasWaiters() {
        return waiting > 0 && !signalled;
    }

    /**
     * Called by the loop after it took messages: wakes waiting producers once the ring is at most half full (or
     * empty), unless it already did and none of them has gone back to sleep since. A waiting producer is always
     * woken: the loop keeps taking until the ring is empty and calls this after every step; a waiter clears
     * {@link #signalled} (volatile) before it last looks at the ring, and this fence orders the loop's freed room
     * before its read of the flag, so either the waiter sees the room or the loop sees the flag cleared.
     */
    void roomFreed() {
        VarHandle.fullFence(); // room was freed (release stores); now look for waiting producers
        if (waiting > 0 && !signalled && ring.size() <= ring.capacity() / 2) {
            signalled = true;
            signalWaiters();
        }
    }

    /** Wakes every waiting producer: room was freed, or the ring was closed. */
    void signalWaiters() {
        lock.lock();
        try {
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
