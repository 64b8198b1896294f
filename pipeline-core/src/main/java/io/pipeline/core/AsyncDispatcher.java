package io.pipeline.core;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
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
 *       room that only it could make would deadlock. They go to the loop's own lane, which is delivered
 *       before the next message is taken from the queue: a message's consequences are handled before the next
 *       message, depth first. Its size is bounded by what one message's listeners emit.</li>
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
 * <p>This class is thread-safe. All listeners run on the loop thread, one message at a time.
 */
public final class AsyncDispatcher extends Dispatcher {
    /** The queue capacity used when none is given. */
    public static final int DEFAULT_CAPACITY = 8192;

    private static final int BATCH = 256;
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private enum State { RUNNING, CLOSING, TERMINATED }

    /** An {@code emitAsync} message: the topic plus the completion to signal. */
    private record Delivery(Topic topic, Completion completion) {}

    private final int capacity;
    private final Overflow overflow;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    // Two slots per message: target (Topic or Delivery), payload. Guarded by lock.
    private final Object[] ring;
    private int head;
    private int count;
    private int waitingProducers;
    private long dropped;
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
        this.capacity = capacity;
        this.overflow = overflow;
        this.ring = new Object[capacity * 2];
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
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Messages discarded by a {@code DROP_*} policy since this dispatcher was created. */
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
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

    @Override
    void enqueue(Topic topic, Object payload, Completion completion) {
        Object target = completion == null ? topic : new Delivery(topic, completion);
        if (Thread.currentThread() == loop) {
            local.add(target);
            local.add(payload);
            return;
        }
        Object droppedTarget = null;
        lock.lock();
        try {
            if (state != State.RUNNING) {
                throw closed();
            }
            while (count == capacity) {
                switch (overflow) {
                    case BLOCK -> awaitSpace();
                    case DROP_NEWEST -> {
                        dropped++;
                        droppedTarget = target;
                        target = null;
                    }
                    case DROP_OLDEST -> droppedTarget = dropOldest();
                    case FAIL -> throw new RejectedExecutionException(
                            "queue full (capacity " + capacity + "): message for event '" + topic.event.name()
                                    + "' of processor '" + topic.processorName() + "' rejected");
                }
                if (target == null) {
                    break;
                }
            }
            if (target != null) {
                int tail = ((head + count) % capacity) * 2;
                ring[tail] = target;
                ring[tail + 1] = payload;
                count++;
            }
        } finally {
            lock.unlock();
        }
        if (droppedTarget instanceof Delivery delivery) {
            delivery.completion.future.completeExceptionally(
                    new RejectedExecutionException("message dropped by overflow policy " + overflow));
        }
        if (parked) {
            LockSupport.unpark(loop);
        }
    }

    private void awaitSpace() {
        waitingProducers++;
        try {
            notFull.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException("interrupted while waiting for space in the queue; message not accepted");
        } finally {
            waitingProducers--;
        }
        if (state != State.RUNNING) {
            throw closed();
        }
    }

    private Object dropOldest() {
        int slot = head * 2;
        Object target = ring[slot];
        ring[slot] = null;
        ring[slot + 1] = null;
        head = (head + 1) % capacity;
        count--;
        dropped++;
        return target;
    }

    @Override
    void enqueueError(Topic errors, Throwable error) {
        if (Thread.currentThread() == loop) {
            local.add(errors);
            local.add(error);
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
            while (true) {
                runUrgent();
                int taken = take(batch);
                if (taken > 0) {
                    for (int i = 0; i < taken; i += 2) {
                        Object target = batch[i];
                        Object payload = batch[i + 1];
                        batch[i] = null;
                        batch[i + 1] = null;
                        dispatch(target, payload);
                        drainLocal();
                    }
                } else if (idleOrFinished()) {
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

    private void runUrgent() {
        Runnable task;
        while ((task = urgent.poll()) != null) {
            task.run();
            drainLocal();
        }
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

    private int take(Object[] batch) {
        lock.lock();
        try {
            int n = Math.min(count, BATCH);
            for (int i = 0; i < n; i++) {
                int slot = ((head + i) % capacity) * 2;
                batch[2 * i] = ring[slot];
                batch[2 * i + 1] = ring[slot + 1];
                ring[slot] = null;
                ring[slot + 1] = null;
            }
            head = (head + n) % capacity;
            count -= n;
            if (n > 0 && waitingProducers > 0) {
                notFull.signalAll();
            }
            return 2 * n;
        } finally {
            lock.unlock();
        }
    }

    /** Parks until there is work; returns true when closing has finished. */
    private boolean idleOrFinished() {
        parked = true;
        lock.lock();
        try {
            if (count > 0 || !urgent.isEmpty()) {
                parked = false;
                return false;
            }
            if (state == State.CLOSING && busyAsyncListeners() == 0) {
                parked = false;
                return true;
            }
        } finally {
            lock.unlock();
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
