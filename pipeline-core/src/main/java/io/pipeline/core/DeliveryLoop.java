package io.pipeline.core;

import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The consumer side of an {@link AsyncDispatcher}: the loop thread's work. {@link #drainOnce()} is one step —
 * urgent entries, then up to {@link #STEP} messages from the ring, each followed by whatever its listeners put on
 * the lane — and {@link #run()} is a thin loop around it that spins briefly, then parks, when a step finds nothing.
 *
 * <h2>Lanes</h2>
 * <ul>
 *   <li><b>the ring</b> ({@link BoundedRing} of {@link Target}s): messages admitted from other threads
 *       ({@link Admission});</li>
 *   <li><b>urgent</b>: error events and async continuations handed over by other threads, run before the ring
 *       (errors are never dropped or blocked);</li>
 *   <li><b>the lane</b>: what the loop thread itself could not deliver inline — emits past the nesting bound or
 *       behind such an emit, and continuations completed on the loop thread. Drained after every ring message,
 *       in FIFO order.</li>
 * </ul>
 *
 * <h2>Delivery barriers</h2>
 * A barrier ({@link Dispatcher#barrier}) asked for by another thread records the ring's producer position and comes
 * through the urgent lane; the loop keeps it and looks at its barriers at the end of each step — a point where no
 * message is being delivered and the lane is empty — completing each one whose position the ring's consumer has
 * reached and whose processors' async listeners have no stage in flight. A step with a barrier kept costs one
 * comparison per barrier; without one, a field read. When the loop ends, every barrier kept or handed over is
 * completed: nothing more will be delivered.
 *
 * <h2>Interrupts</h2>
 * The loop thread is never left interrupted: a listener that throws {@link InterruptedException} is reported like
 * any failure without setting the flag ({@link Dispatcher#listenerFailed}), and a flag a listener set itself is
 * cleared after each message, so that later listeners do not run interrupted and the idle loop's park does not
 * return at once (which would spin a core).
 *
 * <p>Not thread-safe except {@link #wake()}, {@link #handOver} and {@link #hasUrgent()}: the rest runs on the loop
 * thread only.
 */
final class DeliveryLoop implements Runnable, BoundedRing.Sink<Target> {
    /** Ring messages per step; the step then looks at urgent entries and tells waiting producers about room. */
    static final int STEP = 256;
    /**
     * Idle: spin for up to this long (a busy producer's next message is usually nanoseconds away, and waking a parked
     * thread costs the producer a system call), then park. Short, so that an idle dispatcher gives its core back
     * quickly on a small machine. No {@code Thread.yield()}: on a machine with few cores a yield can hand the core
     * to another thread for a whole time slice (docs/BENCHMARKS.md).
     */
    static final long IDLE_SPIN_NANOS = 1_000;

    private final AsyncDispatcher dispatcher;
    private final InlineDelivery delivery;
    private final BoundedRing<Target> ring;
    private Admission admission;
    private final ConcurrentLinkedQueue<LaneEntry> urgent = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<LaneEntry> lane = new ArrayDeque<>();
    /** Barriers handed over and not yet reached; loop thread only. */
    private final java.util.ArrayList<LaneEntry.Barrier> barriers = new java.util.ArrayList<>(2);
    /** Async listeners with a stage in flight, in the order they became busy; loop thread only. */
    private final Set<Subscriber.Async> busyAsync = new LinkedHashSet<>();
    private volatile Thread thread;
    private volatile boolean parked;
    /** The deepest backlog a step found (see {@link DispatcherMetrics#highWaterMark()}); loop-written, opaque. */
    private long highWater;
    private static final java.lang.invoke.VarHandle HIGH_WATER;

    static {
        try {
            HIGH_WATER = java.lang.invoke.MethodHandles.lookup()
                    .findVarHandle(DeliveryLoop.class, "highWater", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    DeliveryLoop(AsyncDispatcher dispatcher, InlineDelivery delivery, BoundedRing<Target> ring) {
        this.dispatcher = dispatcher;
        this.delivery = delivery;
        this.ring = ring;
    }

    void admission(Admission admission) {
        this.admission = admission;
    }

    void thread(Thread thread) {
        this.thread = thread;
    }

    // ---- called by other threads ----------------------------------------------------------------------------

    /** Unparks the loop if it announced that it parks. A producer calls this after its ring offer. */
    void wake() {
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** Hands an entry over from another thread, before the ring's messages. */
    void handOver(LaneEntry entry) {
        urgent.add(entry);
        LockSupport.unpark(thread);
    }

    boolean hasUrgent() {
        return !urgent.isEmpty();
    }

    /**
     * Whether the loop has announced that it parks: it is then between steps, so every message it took has been
     * delivered. A hint for {@link AsyncDispatcher#barrier}, read after the ring and urgent lane were seen empty.
     */
    boolean isParked() {
        return parked;
    }

    // ---- the loop thread ------------------------------------------------------------------------------------

    /** Whether nothing waits on the lane: only then may an emit on the loop thread run inline. */
    boolean laneIsEmpty() {
        return lane.isEmpty();
    }

    /** Puts an entry on the lane, behind everything already there. */
    void defer(LaneEntry entry) {
        lane.add(entry);
    }

    /**
     * One step: urgent entries, then up to {@link #STEP} ring messages, each with the lane drained after it.
     * Never throws, except what kills the loop (a fatal {@link VirtualMachineError}).
     *
     * @return whether there was anything to do
     */
    boolean drainOnce() {
        boolean worked = false;
        LaneEntry entry;
        while ((entry = urgent.poll()) != null) {
            if (entry instanceof LaneEntry.Barrier barrier) {
                barriers.add(barrier);
            } else {
                run(entry);
                drainLane();
            }
            worked = true;
        }
        int taken = ring.drain(this, STEP);
        if (taken > 0) {
            admission.roomFreed();
            worked = true;
            if (taken > highWater || taken == STEP) {
                noteBacklog(taken);
            }
        }
        if (!barriers.isEmpty()) {
            checkBarriers();
        }
        return worked;
    }

    /** Between steps: completes every barrier whose position was passed and whose async listeners are idle. */
    private void checkBarriers() {
        long taken = ring.takenPosition();
        for (java.util.Iterator<LaneEntry.Barrier> it = barriers.iterator(); it.hasNext(); ) {
            LaneEntry.Barrier barrier = it.next();
            if (taken - barrier.position() >= 0 && !busyAsyncOf(barrier.processors())) {
                it.remove();
                barrier.future().complete(null);
            }
        }
    }

    private boolean busyAsyncOf(java.util.function.Predicate<String> processors) {
        for (Subscriber.Async listener : busyAsync) {
            if (processors.test(listener.topic.processorName())) {
                return true;
            }
        }
        return false;
    }

    /** Completes every barrier kept: the loop ends, nothing more will be delivered. Loop thread, as it ends. */
    void releaseBarriers() {
        for (LaneEntry.Barrier barrier : barriers) {
            barrier.future().complete(null);
        }
        barriers.clear();
    }

    /** A step took {@code taken} messages; with a full step, more may have waited behind them. */
    private void noteBacklog(int taken) {
        long backlog = Math.min(ring.capacity(), taken == STEP ? (long) taken + ring.size() : taken);
        if (backlog > highWater) {
            HIGH_WATER.setOpaque(this, backlog);
        }
    }

    /** The deepest backlog a step found; any thread. */
    long highWater() {
        return (long) HIGH_WATER.getOpaque(this);
    }

    /** One ring message (its slot already freed): deliver it, then everything its listeners deferred. */
    @Override
    public void accept(Target target, Object payload) {
        if (admission.hasWaiters()) {
            admission.roomFreed(); // a slot was just freed: parked producers need not wait for the step to end
        }
        try {
            delivery.deliver(target.topic(), payload, target.completion());
        } catch (Throwable fatal) { // only a fatal error escapes a delivery: the loop dies of it
            fail(target.completion(), fatal);
            throw fatal;
        }
        drainLane();
    }

    private void drainLane() {
        LaneEntry entry;
        while ((entry = lane.poll()) != null) {
            run(entry);
        }
        Thread.interrupted(); // a listener may have set it; it must not outlive the message
    }

    /** Runs one lane entry; should it die of a fatal error, its message's future fails before the loop ends. */
    private void run(LaneEntry entry) {
        try {
            entry.run(delivery);
        } catch (Throwable fatal) {
            abandon(entry, fatal);
            throw fatal;
        }
    }

    /** An async listener got a stage in flight; loop thread. */
    void asyncStarted(Subscriber.Async listener) {
        busyAsync.add(listener);
    }

    /** An async listener is idle again; loop thread (its continuations run here). */
    void asyncFinished(Subscriber.Async listener) {
        busyAsync.remove(listener);
    }

    /** The loop: steps while there is work, spins a moment, then parks; ends when closing has finished. */
    @Override
    public void run() {
        Throwable death = null;
        try {
            long idleSince = 0;
            while (true) {
                if (drainOnce()) {
                    idleSince = 0;
                    continue;
                }
                long now = System.nanoTime();
                if (idleSince == 0) {
                    idleSince = now;
                }
                if (now - idleSince < IDLE_SPIN_NANOS) {
                    Thread.onSpinWait();
                } else if (parkOrFinish()) {
                    return;
                }
            }
        } catch (Throwable fatal) {
            death = fatal;
            dispatcher.died(fatal);
            throw fatal;
        } finally {
            dispatcher.terminated(death);
        }
    }

    /** Parks until a producer, an error or a continuation wakes the loop; returns true when closing has finished. */
    private boolean parkOrFinish() {
        parked = true;
        // A producer claims its slot (tail CAS) before it reads 'parked'; so either this sees the claim, or the
        // producer sees 'parked' and unparks.
        if (ring.hasClaimed() || !urgent.isEmpty()) {
            parked = false;
            return false;
        }
        if (dispatcher.isClosed() && dispatcher.finished(this)) {
            parked = false;
            return true;
        }
        Thread.interrupted();
        LockSupport.park(this);
        parked = false;
        return false;
    }

    /** Whether every lane is empty; the dispatcher asks under its lock, with the ring closed. */
    boolean isIdle() {
        return ring.isDrained() && urgent.isEmpty() && lane.isEmpty();
    }

    /**
     * After the loop died, on the loop thread as it ends (the ring is closed): fails the futures of every message
     * it will never deliver — in the ring (also one whose producer claimed its slot before the ring closed and is
     * still publishing it), on the lanes, and held by async listeners (the one whose stage is in flight, whose
     * continuation will never run here, and their backlogs). Continuations handed over later are dropped
     * ({@link AsyncDispatcher#resume}).
     */
    void abandon(Throwable cause) {
        while (!ring.isDrained()) {
            Target target = ring.pollOldest();
            if (target == null) {
                Thread.onSpinWait(); // claimed before the ring closed, not yet published: a moment away
            } else {
                fail(target.completion(), cause);
            }
        }
        LaneEntry entry;
        while ((entry = urgent.poll()) != null) {
            abandon(entry, cause);
        }
        while ((entry = lane.poll()) != null) {
            abandon(entry, cause);
        }
        for (Subscriber.Async listener : busyAsync) {
            listener.abandon(cause);
        }
        busyAsync.clear();
    }

    /** Drops what was handed over after the loop ended (barriers are completed); any thread. */
    void discardHandedOver(Throwable cause) {
        LaneEntry entry;
        while ((entry = urgent.poll()) != null) {
            abandon(entry, cause);
        }
    }

    private static void abandon(LaneEntry entry, Throwable cause) {
        if (entry instanceof LaneEntry.Message message) {
            fail(message.completion(), cause);
        } else if (entry instanceof LaneEntry.Barrier barrier) {
            barrier.future().complete(null); // nothing more will be delivered: nothing to wait for
        }
    }

    private static void fail(Completion completion, Throwable cause) {
        if (completion != null) {
            completion.abandon(cause);
        }
    }
}
