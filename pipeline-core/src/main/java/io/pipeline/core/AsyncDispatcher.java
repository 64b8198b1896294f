package io.pipeline.core;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link MessageHandler} that decouples emitters from listeners: {@code emit} puts the message in a bounded
 * FIFO queue and returns; one loop thread, named {@code pipeline-dispatcher-N}, takes messages in order and
 * runs their listeners.
 *
 * <h2>Queues</h2>
 * <ul>
 *   <li><b>The queue</b> holds messages emitted by threads other than the loop thread. It never holds more than
 *       {@link #capacity()} messages; when it is full, the {@link Overflow} policy decides (default
 *       {@link Overflow#BLOCK}: the emitter waits).</li>
 *   <li><b>Emits made on the loop thread</b> (by listeners) never wait, fail or drop: a listener waiting for
 *       room that only it could make would deadlock. They are delivered at once, before {@code emit} returns,
 *       depth first — exactly as a {@link SyncDispatcher} would — so a message's consequences are handled
 *       before the next message is taken from the queue. Past a nesting depth of 32 (a listener that emits
 *       to a listener that emits …) they go to the loop's own lane instead, delivered as soon as the current
 *       delivery returns, so a cycle of processors cannot overflow the stack.</li>
 *   <li><b>Error events</b> ({@link Processor#ERROR}) are never dropped and never wait: when emitted by another
 *       thread they bypass the queue and are delivered before queued messages.</li>
 * </ul>
 *
 * <h2>Ordering</h2>
 * Messages from one emitting thread are delivered in emission order. Each listener receives messages in the
 * order they were delivered; an {@link AsyncListener} is given its next message only after the stage it
 * returned for the previous one has completed, and its continuations run on the loop thread.
 *
 * <h2>Lifecycle</h2>
 * RUNNING → CLOSING → TERMINATED. {@link #close()} stops accepting emits from other threads (they throw
 * {@link IllegalStateException}; so does an emitter blocked on a full queue), delivers every message already
 * accepted, accepts and delivers what listeners emit meanwhile, waits for in-flight async listeners, then ends
 * the loop thread. Called from the loop thread itself, it starts closing and returns without waiting.
 *
 * <h2>CPU</h2>
 * When there is nothing to deliver, the loop thread spins for about a microsecond, then parks until a message
 * arrives: an idle dispatcher uses no CPU. A producer waiting for room under {@link Overflow#BLOCK} spins for up to
 * 50 µs, then parks.
 *
 * <p>This class is thread-safe. All listeners run on the loop thread, one message at a time.
 */
public final class AsyncDispatcher extends Dispatcher {
    /** The queue capacity used when none is given. */
    public static final int DEFAULT_CAPACITY = 8192;
    /** How deeply emits on the loop thread nest inline before they are put on the loop's lane instead. */
    static final int MAX_INLINE_DEPTH = 32;

    private static final int BATCH = 256;
    /**
     * Idle loop: spin for up to this long (a busy producer's next message is usually nanoseconds away, and waking a
     * parked thread costs the producer a system call), then park. Short, so that an idle dispatcher gives its core
     * back quickly on a small machine. No {@code Thread.yield()} in between: on a machine with few cores a yield
     * can hand the core to another thread for a whole time slice, which showed as milliseconds in the latency
     * tail at 100,000 events/s (see docs/BENCHMARKS.md).
     */
    private static final long IDLE_SPIN_NANOS = 1_000;
    /**
     * A producer facing a full queue under BLOCK keeps retrying for up to this long before it parks: the loop frees
     * room a batch at a time, usually within microseconds, and a producer that parks costs a futex round trip on
     * both sides. Measured: steadier and faster than yielding a few times and then parking (docs/BENCHMARKS.md).
     */
    private static final long FULL_SPIN_NANOS = 50_000;
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private enum State { RUNNING, CLOSING, TERMINATED }

    /** An {@code emitAsync} message: the topic plus the completion to signal. */
    private record Delivery(Topic topic, Completion completion) {}

    private final int capacity;
    private final Overflow overflow;

    /**
     * Messages from other threads. Lock-free; closing it (under {@link #lock}, with {@link #state}) atomically
     * stops later offers, so everything accepted before is still delivered.
     */
    private final BoundedRing queue;
    /** Guards state changes, the slow paths (a producer waiting for room, error hand-over) and termination. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final AtomicInteger waitingProducers = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private volatile State state = State.RUNNING;

    /** Error events and async continuations handed over by other threads. */
    private final ConcurrentLinkedQueue<Runnable> urgent = new ConcurrentLinkedQueue<>();
    /** What listeners emit on the loop thread: target, payload pairs (or a Runnable and a marker). */
    private final ArrayDeque<Object> local = new ArrayDeque<>();
    private final Thread loop;
    private volatile boolean parked;

    /** Creates a dispatcher with the default capacity and {@link Overflow#BLOCK}. */
    public AsyncDispatcher() {
        this(DEFAULT_CAPACITY, Overflow.BLOCK, "pipeline-dispatcher-" + THREAD_IDS.incrementAndGet());
    }

    private AsyncDispatcher(int capacity, Overflow overflow, String threadName) {
        super(true);
        this.capacity = capacity;
        this.overflow = overflow;
        this.queue = new BoundedRing(capacity);
        this.loop = new Thread(this::runLoop, threadName);
        this.loop.setDaemon(true);
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
        return queue.size();
    }

    /** Messages discarded by a {@code DROP_*} policy since this dispatcher was created. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public boolean isClosed() {
        return state != State.RUNNING;
    }

    @Override
    boolean accepting() {
        return state == State.RUNNING || (Thread.currentThread() == loop && state == State.CLOSING);
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
    boolean inlineHere() {
        return Thread.currentThread() == loop && inlineDepth < MAX_INLINE_DEPTH;
    }

    /** An emit on the loop thread: delivered at once, depth first, or — nested too deep — on the loop's lane. */
    private void emitOnLoop(Topic topic, Object payload, Completion completion) {
        if (inlineDepth < MAX_INLINE_DEPTH) {
            inlineDepth++;
            try {
                deliver(topic, payload, completion);
            } finally {
                inlineDepth--;
            }
        } else {
            local.add(completion == null ? topic : new Delivery(topic, completion));
            local.add(payload);
        }
    }

    @Override
    void enqueue(Topic topic, Object payload, Completion completion) {
        if (Thread.currentThread() == loop) {
            emitOnLoop(topic, payload, completion);
            return;
        }
        Object target = completion == null ? topic : new Delivery(topic, completion);
        int result = queue.offer(target, payload);
        if (result != BoundedRing.OK) {
            offerSlow(result, topic, target, payload);
        }
        if (parked) {
            LockSupport.unpark(loop);
        }
    }

    /** The queue was full or closed: apply the overflow policy. */
    private void offerSlow(int result, Topic topic, Object target, Object payload) {
        Object droppedTarget = null;
        while (result != BoundedRing.OK) {
            if (result == BoundedRing.CLOSED) {
                throw closed();
            }
            switch (overflow) {
                case BLOCK -> result = awaitSpace(target, payload);
                case DROP_NEWEST -> {
                    dropped.incrementAndGet();
                    droppedTarget = target;
                    result = BoundedRing.OK;
                }
                case DROP_OLDEST -> {
                    Object oldest = queue.pollOldest();
                    if (oldest != null) {
                        dropped.incrementAndGet();
                        rejectDropped(oldest);
                    }
                    result = queue.offer(target, payload);
                }
                case FAIL -> throw new RejectedExecutionException(
                        "queue full (capacity " + capacity + "): message for event '" + topic.event.name()
                                + "' of processor '" + topic.processorName() + "' rejected");
            }
        }
        if (droppedTarget != null) {
            rejectDropped(droppedTarget);
        }
    }

    private void rejectDropped(Object target) {
        if (target instanceof Delivery delivery) {
            delivery.completion.future.completeExceptionally(
                    new RejectedExecutionException("message dropped by overflow policy " + overflow));
        }
    }

    /** BLOCK: retry for a moment, then wait on {@link #notFull} until the loop frees room or the dispatcher closes. */
    private int awaitSpace(Object target, Object payload) {
        int result = BoundedRing.FULL;
        long since = System.nanoTime();
        while (result == BoundedRing.FULL && System.nanoTime() - since < FULL_SPIN_NANOS) {
            Thread.onSpinWait();
            result = queue.offer(target, payload);
        }
        if (result != BoundedRing.FULL) {
            return result;
        }
        lock.lock();
        try {
            waitingProducers.incrementAndGet();
            try {
                while (true) {
                    // The increment above and the loop's fence after freeing room pair up: either this offer
                    // sees the room, or the loop sees a waiting producer and signals.
                    result = queue.offer(target, payload);
                    if (result != BoundedRing.FULL) {
                        return result;
                    }
                    notFull.await();
                }
            } finally {
                waitingProducers.decrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException("interrupted while waiting for space in the queue; message not accepted");
        } finally {
            lock.unlock();
        }
    }

    @Override
    void enqueueError(Topic errors, Throwable error) {
        if (Thread.currentThread() == loop) {
            emitOnLoop(errors, error, null);
            return;
        }
        lock.lock();
        try {
            if (state != State.RUNNING) {
                throw closed();
            }
            urgent.add(() -> deliver(errors, error, null));
        } finally {
            lock.unlock();
        }
        LockSupport.unpark(loop);
    }

    @Override
    void resume(Runnable continuation) {
        if (Thread.currentThread() == loop) {
            local.add(continuation);
            local.add(Boolean.TRUE);
            return;
        }
        // Accepted while closing: the loop does not end while an async listener is busy.
        urgent.add(continuation);
        if (parked) {
            LockSupport.unpark(loop);
        }
    }

    private IllegalStateException closed() {
        return new IllegalStateException("AsyncDispatcher is closed (" + loop.getName() + ")");
    }

    // ---- consuming ------------------------------------------------------------------------------------------

    private void runLoop() {
        Object[] batch = new Object[BATCH * 2];
        try {
            long idleSince = 0;
            while (true) {
                if (deliverAvailable(batch)) {
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
        } finally {
            lock.lock();
            try {
                state = State.TERMINATED;
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Delivers what is waiting now: urgent tasks, then one batch from the queue (with everything its listeners emit).
     * A method of its own rather than the body of {@link #runLoop}: it is called over and over, so the JIT compiles
     * it as a whole method that every dispatcher's loop uses at once, instead of an on-stack replacement of each
     * loop thread's single, endless call.
     *
     * @return whether there was anything to deliver
     */
    private boolean deliverAvailable(Object[] batch) {
        boolean worked = runUrgent();
        int taken = queue.drain(batch);
        if (taken > 0) {
            signalWaitingProducers();
            for (int i = 0; i < 2 * taken; i += 2) {
                Object target = batch[i];
                Object payload = batch[i + 1];
                batch[i] = null;
                batch[i + 1] = null;
                dispatch(target, payload);
                drainLocal();
            }
            worked = true;
        }
        return worked;
    }

    /**
     * Wakes producers blocked on a full queue once it is at most half full (or empty), so that each wake-up buys
     * them room for many messages instead of one batch. A waiting producer is always woken: the loop keeps taking
     * until the queue is empty, and checks after every batch.
     */
    private void signalWaitingProducers() {
        VarHandle.fullFence(); // room was freed (release stores); now look for waiting producers
        if (waitingProducers.get() > 0 && queue.size() <= capacity / 2) {
            lock.lock();
            try {
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean runUrgent() {
        boolean worked = false;
        Runnable task;
        while ((task = urgent.poll()) != null) {
            task.run();
            drainLocal();
            worked = true;
        }
        return worked;
    }

    private void drainLocal() {
        Object target;
        while ((target = local.poll()) != null) {
            dispatch(target, local.poll());
        }
    }

    private void dispatch(Object target, Object payload) {
        if (target instanceof Topic topic) {
            deliver(topic, payload, null);
        } else if (target instanceof Delivery delivery) {
            deliver(delivery.topic, payload, delivery.completion);
        } else {
            ((Runnable) target).run();
        }
    }

    /** Parks until a producer, an error or a continuation wakes the loop; returns true when closing has finished. */
    private boolean parkOrFinish() {
        parked = true;
        // A producer claims its slot (tail CAS) before it reads 'parked'; so either this sees the claim, or the
        // producer sees 'parked' and unparks.
        if (queue.hasClaimed() || !urgent.isEmpty()) {
            parked = false;
            return false;
        }
        if (state != State.RUNNING) {
            lock.lock();
            try {
                if (queue.isDrained() && urgent.isEmpty() && busyAsyncListeners() == 0) {
                    parked = false;
                    return true;
                }
            } finally {
                lock.unlock();
            }
        }
        LockSupport.park(this);
        parked = false;
        return false;
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
                queue.close();
                state = State.CLOSING;
                notFull.signalAll();
            }
        } finally {
            lock.unlock();
        }
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

        /** The queue's capacity in messages; default {@value AsyncDispatcher#DEFAULT_CAPACITY}. */
        public Builder capacity(int capacity) {
            if (capacity <= 0) {
                throw new IllegalArgumentException("capacity <= 0: " + capacity);
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
