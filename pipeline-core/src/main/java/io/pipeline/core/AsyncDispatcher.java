package io.pipeline.core;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A {@link MessageHandler} that decouples emitters from listeners: {@code emit} puts the message in a bounded
 * FIFO queue and returns; one loop thread, named {@code pipeline-dispatcher-N}, takes messages in order and
 * runs their listeners.
 *
 * <h2>Queues</h2>
 * <ul>
 *   <li><b>The queue</b> holds messages emitted by threads other than the loop thread. Everything accepted and not
 *       yet handed to a listener is bounded by {@link #capacity()}: at most that many messages wait, plus the one
 *       being delivered. When it is full, the {@link Overflow} policy decides (default {@link Overflow#BLOCK}: the
 *       emitter waits, in arrival order with other waiting emitters; {@link Overflow#DROP_OLDEST} discards the
 *       oldest message not yet delivered).</li>
 *   <li><b>Emits made on the loop thread</b> (by listeners) never wait, fail or drop: a listener waiting for
 *       room that only it could make would deadlock. They are delivered at once, before {@code emit} returns,
 *       depth first — exactly as a {@link SyncDispatcher} would — so a message's consequences are handled
 *       before the next message is taken from the queue. Past a nesting depth of 32 (a listener that emits
 *       to a listener that emits …) they go to the loop's own lane instead, delivered as soon as the current
 *       delivery returns, so a cycle of processors cannot overflow the stack; while anything waits there, later
 *       emits on the loop thread queue behind it, so emission order holds at any depth.</li>
 *   <li><b>Error events</b> ({@link Processor#ERROR}) are never dropped and never wait, also when sent with
 *       {@code emitAsync}: when emitted by another thread they bypass the queue and are delivered before queued
 *       messages.</li>
 * </ul>
 *
 * <h2>Ordering</h2>
 * Messages from one emitting thread are delivered in emission order. Each listener receives messages in the
 * order they were delivered; an {@link AsyncListener} is given its next message only after the stage it
 * returned for the previous one has completed, and its continuations run on the loop thread. A queued message goes
 * to the listeners its event has when the loop delivers it, not to those it had when it was emitted: a listener
 * added after an {@code emit} returned may hear that message, one cancelled meanwhile does not, and a message whose
 * listeners are all gone by then is counted as a dead event.
 *
 * <h2>Lifecycle</h2>
 * RUNNING → CLOSING → TERMINATED. {@link #close()} stops accepting emits from other threads (they throw
 * {@link IllegalStateException}; so does an emitter blocked on a full queue), delivers every message already
 * accepted, accepts and delivers what listeners emit meanwhile, waits for in-flight async listeners, then ends
 * the loop thread. Called from the loop thread itself, it starts closing and returns without waiting.
 *
 * <h2>Faults</h2>
 * A listener's failure becomes its processor's {@link Processor#ERROR} event, also a {@link StackOverflowError}. An
 * {@link InterruptedException} thrown by a listener or an async stage is reported the same way and does not leave
 * the loop thread interrupted. Any other {@link VirtualMachineError} kills the loop: the dispatcher records it
 * (a {@link Flow} reports it and goes DOWN), stops accepting — later emits throw {@link IllegalStateException} with
 * the error as cause, blocked emitters are released with that exception — and the loop thread ends. Every
 * {@code emitAsync} future of a message it will not finish delivering then fails with an
 * {@link IllegalStateException} whose cause is the error: queued, on the loop's lanes, the message being delivered,
 * and those an {@link AsyncListener} holds (the one whose stage is in flight, whatever that stage does later, and
 * its backlog). It never keeps accepting messages it will not deliver, and no future is left hanging.
 *
 * <h2>CPU</h2>
 * When there is nothing to deliver, the loop thread spins for about a microsecond, then parks until a message
 * arrives: an idle dispatcher uses no CPU. A producer waiting for room under {@link Overflow#BLOCK} spins for up to
 * 50 µs, then parks (at once, behind them, when other producers already wait).
 *
 * <p>This class is thread-safe. All listeners run on the loop thread, one message at a time. The producer side
 * ({@code Admission}) and the loop's work ({@code DeliveryLoop}) live in classes of their own.
 */
public final class AsyncDispatcher extends Dispatcher {
    /** The queue capacity used when none is given. */
    public static final int DEFAULT_CAPACITY = 8192;
    /**
     * The largest capacity accepted: the queue's slots are allocated up front (about 16 bytes each), so a larger
     * bound would cost memory for messages that are never queued.
     */
    public static final int MAX_CAPACITY = 1 << 20;
    /** How deeply emits on the loop thread nest inline before they are put on the loop's lane instead. */
    static final int MAX_INLINE_DEPTH = 32;

    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private enum State { RUNNING, CLOSING, TERMINATED }

    private final int capacity;
    private final Overflow overflow;
    /**
     * Messages from other threads. Lock-free; closing it (under {@link #lock}, with {@link #state}) atomically
     * stops later offers, so everything accepted before is still delivered.
     */
    private final BoundedRing<Target> ring;
    private final DeliveryLoop deliveryLoop;
    private final Admission admission;
    private final Thread loop;
    /** Guards state changes, error hand-over from other threads and termination; never the per-message path. */
    private final ReentrantLock lock = new ReentrantLock();
    private volatile State state = State.RUNNING;

    /** Creates a dispatcher with the default capacity and {@link Overflow#BLOCK}. */
    public AsyncDispatcher() {
        this(DEFAULT_CAPACITY, Overflow.BLOCK, "pipeline-dispatcher-" + THREAD_IDS.incrementAndGet());
    }

    private AsyncDispatcher(int capacity, Overflow overflow, String threadName) {
        super(true);
        this.capacity = capacity;
        this.overflow = overflow;
        // Only DROP_OLDEST lets producers take from the ring; otherwise the loop frees positions without a CAS.
        this.ring = new BoundedRing<>(capacity, overflow != Overflow.DROP_OLDEST);
        this.deliveryLoop = new DeliveryLoop(this, inline, ring);
        this.admission = new Admission(ring, overflow, deliveryLoop, this::closedException);
        deliveryLoop.admission(admission);
        this.loop = new Thread(deliveryLoop, threadName);
        this.loop.setDaemon(true);
        deliveryLoop.thread(loop);
        this.loop.start();
    }

    /** Starts a builder with the default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The maximum number of messages the queue holds. */
    public int capacity() {
        return capacity;
    }

    /** The policy applied when the queue is full. */
    public Overflow overflow() {
        return overflow;
    }

    /** Messages waiting in the queue now; never more than {@link #capacity()}. */
    public int queueSize() {
        return ring.size();
    }

    /** Messages discarded by a {@code DROP_*} policy since this dispatcher was created. */
    public long dropped() {
        return admission.dropped();
    }

    @Override
    public boolean isClosed() {
        return state != State.RUNNING;
    }

    @Override
    DispatcherMetrics dispatcherMetrics() {
        long highWater = admission.sawFull() ? capacity : Math.max(deliveryLoop.highWater(), ring.size());
        return new DispatcherMetrics("AsyncDispatcher", ring.size(), capacity, highWater, admission.dropped(),
                admission.blockedNanos(), admission.blockedEmits(), deadEvents(), admission.rejected());
    }

    @Override
    boolean accepting() {
        State current = state;
        return fatalError() == null
                && (current == State.RUNNING || (current == State.CLOSING && Thread.currentThread() == loop));
    }

    /** Whether the loop thread has ended. */
    public boolean isTerminated() {
        return state == State.TERMINATED && !loop.isAlive();
    }

    // ---- producing ------------------------------------------------------------------------------------------

    /** Listeners run only on the loop thread: never called directly by an emitter. */
    @Override
    boolean allowsDirectCalls() {
        return false;
    }

    @Override
    boolean restoresInterrupt() {
        return Thread.currentThread() != loop;
    }

    @Override
    boolean onDeliveryThread() {
        return Thread.currentThread() == loop;
    }

    @Override
    boolean inlineHere() {
        return Thread.currentThread() == loop && inline.depth() < MAX_INLINE_DEPTH && deliveryLoop.laneIsEmpty();
    }

    /** An emit on the loop thread: delivered at once, depth first, or — nested too deep — on the loop's lane. */
    private void emitOnLoop(Topic topic, Object payload, Completion completion) {
        if (inlineHere()) {
            inline.nested(topic, payload, completion);
        } else {
            deliveryLoop.defer(new LaneEntry.Message(topic, payload, completion));
        }
    }

    @Override
    void enqueue(Topic topic, Object payload, Completion completion) {
        if (Thread.currentThread() == loop) {
            ensureOpen();
            emitOnLoop(topic, payload, completion);
        } else {
            admission.admit(Target.of(topic, completion), payload);
        }
    }

    @Override
    void enqueueError(Topic errors, Throwable error, Completion completion) {
        if (Thread.currentThread() == loop) {
            emitOnLoop(errors, error, completion);
            return;
        }
        lock.lock();
        try {
            if (state != State.RUNNING) {
                throw closedException();
            }
            deliveryLoop.handOver(new LaneEntry.Message(errors, error, completion));
        } finally {
            lock.unlock();
        }
    }

    @Override
    void resume(Runnable continuation) {
        if (Thread.currentThread() == loop) {
            deliveryLoop.defer(new LaneEntry.Continuation(continuation));
            return;
        }
        // Accepted while closing: the loop does not end while an async listener is busy. Once the loop died, the
        // continuation is never run: the futures it would complete already failed (DeliveryLoop.abandon).
        if (state == State.TERMINATED) {
            return;
        }
        deliveryLoop.handOver(new LaneEntry.Continuation(continuation));
        if (state == State.TERMINATED) {
            deliveryLoop.discardHandedOver(fatalError()); // the loop ended meanwhile: nobody will take it
        }
    }

    @Override
    void asyncStarted(Subscriber.Async listener) {
        super.asyncStarted(listener);
        deliveryLoop.asyncStarted(listener); // on the loop thread: async listeners are delivered to only there
    }

    @Override
    void asyncFinished(Subscriber.Async listener) {
        super.asyncFinished(listener);
        deliveryLoop.asyncFinished(listener);
    }

    /**
     * A delivery barrier (see {@link Dispatcher#barrier}): never offers into the ring, so it never waits for room.
     * Complete at once when the loop is idle — ring and urgent lane empty, the loop parked (so between steps, with
     * everything it took delivered), no async listener busy: read in that order, each read after the ones that make
     * it meaningful — or when the loop has ended; otherwise handed to the loop with the ring's producer position.
     */
    @Override
    CompletableFuture<Void> barrier(Predicate<String> processors) {
        Objects.requireNonNull(processors, "processors");
        if (state == State.TERMINATED || fatalError() != null) {
            return CompletableFuture.completedFuture(null);
        }
        long position = ring.claimedPosition();
        if (!ring.hasClaimed() && !deliveryLoop.hasUrgent() && deliveryLoop.isParked() && busyAsyncListeners() == 0) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        deliveryLoop.handOver(new LaneEntry.Barrier(position, processors, future));
        if (state == State.TERMINATED) {
            deliveryLoop.discardHandedOver(fatalError()); // the loop ended meanwhile: nothing left to wait for
        }
        return future;
    }

    @Override
    IllegalStateException closedException() {
        return closedException("AsyncDispatcher (" + loop.getName() + ")");
    }

    // ---- the loop's end ---------------------------------------------------------------------------------------

    /** Asked by the idle loop once closing: whether everything accepted was delivered and no async listener is busy. */
    boolean finished(DeliveryLoop drained) {
        lock.lock();
        try {
            return drained.isIdle() && busyAsyncListeners() == 0;
        } finally {
            lock.unlock();
        }
    }

    /** The loop thread ends; {@code death} is what killed it, or {@code null}. */
    void terminated(Throwable death) {
        lock.lock();
        try {
            ring.close();
            state = State.TERMINATED;
        } finally {
            lock.unlock();
        }
        admission.signalWaiters();
        if (death != null) {
            deliveryLoop.abandon(death);
        }
        deliveryLoop.releaseBarriers();
        deliveryLoop.discardHandedOver(death); // barriers handed over as it ended (a closed loop takes nothing else)
    }

    @Override
    void onDeath() {
        lock.lock();
        try {
            ring.close();
            if (state == State.RUNNING) {
                state = State.CLOSING;
            }
        } finally {
            lock.unlock();
        }
        admission.signalWaiters();
        LockSupport.unpark(loop);
    }

    // ---- closing --------------------------------------------------------------------------------------------

    /**
     * Stops accepting messages from other threads, delivers everything accepted, waits for in-flight async
     * listeners, then ends the loop thread. Idempotent; waits without being interruptible (the interrupt flag
     * is kept). Called on the loop thread, it does not wait.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (state == State.RUNNING) {
                ring.close();
                state = State.CLOSING;
            }
        } finally {
            lock.unlock();
        }
        admission.signalWaiters();
        LockSupport.unpark(loop);
        if (Thread.currentThread() == loop) {
            return;
        }
        boolean interrupted = false;
        while (loop.isAlive()) {
            try {
                loop.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "AsyncDispatcher[" + loop.getName() + ", capacity=" + capacity + ", overflow=" + overflow
                + ", state=" + state + "]";
    }

    /**
     * Builds an {@link AsyncDispatcher}. Not thread-safe.
     */
    public static final class Builder {
        private int capacity = DEFAULT_CAPACITY;
        private Overflow overflow = Overflow.BLOCK;
        private String threadName;

        private Builder() {}

        /**
         * The queue's capacity in messages, from 1 to {@value AsyncDispatcher#MAX_CAPACITY}; default
         * {@value AsyncDispatcher#DEFAULT_CAPACITY}.
         *
         * @throws IllegalArgumentException if {@code capacity} is not positive or above {@link #MAX_CAPACITY}
         */
        public Builder capacity(int capacity) {
            if (capacity <= 0) {
                throw new IllegalArgumentException("capacity <= 0: " + capacity);
            }
            if (capacity > MAX_CAPACITY) {
                throw new IllegalArgumentException("capacity > AsyncDispatcher.MAX_CAPACITY (" + MAX_CAPACITY
                        + "): " + capacity + "; the queue's slots are allocated up front");
            }
            this.capacity = capacity;
            return this;
        }

        /** What to do when the queue is full; default {@link Overflow#BLOCK}. */
        public Builder overflow(Overflow overflow) {
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /** The loop thread's name; default {@code pipeline-dispatcher-N}. */
        public Builder threadName(String threadName) {
            Objects.requireNonNull(threadName, "threadName");
            if (threadName.isBlank()) {
                throw new IllegalArgumentException("threadName is blank");
            }
            this.threadName = threadName;
            return this;
        }

        /** Creates the dispatcher and starts its loop thread. */
        public AsyncDispatcher build() {
            String name = threadName != null ? threadName : "pipeline-dispatcher-" + THREAD_IDS.incrementAndGet();
            return new AsyncDispatcher(capacity, overflow, name);
        }
    }
}
