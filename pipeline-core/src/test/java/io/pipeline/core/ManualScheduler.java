package io.pipeline.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.FutureTask;

/**
 * A scheduler in virtual time: tasks run only inside {@link #runReady()} and {@link #advance(Duration)}, on the
 * calling thread, in due order. Tasks may be submitted from any thread. What a task throws is kept in
 * {@link #thrown()}. The one copy for every package of pipeline-core's tests.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final ManualClock clock;
    private final PriorityQueue<Task<?>> tasks = new PriorityQueue<>();
    private long sequence;
    private boolean shutdown;
    private final List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();

    public ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    public ManualClock clock() {
        return clock;
    }

    /** Runs every task due now, including those they schedule for now. Returns how many ran. */
    public int runReady() {
        int ran = 0;
        Task<?> task;
        while ((task = nextDue(clock.instant())) != null) {
            task.run();
            ran++;
        }
        return ran;
    }

    /** Moves time forward by {@code duration}, running each task when its due time is reached. */
    public void advance(Duration duration) {
        Instant target = clock.instant().plus(duration);
        Task<?> task;
        while ((task = nextDue(target)) != null) {
            if (task.due.isAfter(clock.instant())) {
                clock.set(task.due);
            }
            task.run();
        }
        clock.set(target);
    }

    /** The delay until the next pending task, if any. */
    public synchronized Duration nextDelay() {
        Task<?> next = tasks.peek();
        return next == null ? null : Duration.between(clock.instant(), next.due);
    }

    public synchronized int pending() {
        return tasks.size();
    }

    /** What tasks threw, in order: a scheduler's future would otherwise keep it to itself. */
    public List<Throwable> thrown() {
        return List.copyOf(thrown);
    }

    private synchronized Task<?> nextDue(Instant limit) {
        Task<?> next = tasks.peek();
        if (next == null || next.due.isAfter(limit)) {
            return null;
        }
        return tasks.poll();
    }

    private synchronized <V> Task<V> add(Callable<V> callable, long delay, TimeUnit unit) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        Task<V> task = new Task<>(callable, clock.instant().plusNanos(Math.max(0, unit.toNanos(delay))), sequence++);
        tasks.add(task);
        return task;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return add(java.util.concurrent.Executors.callable(command), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return add(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = new ArrayList<>(tasks);
        tasks.clear();
        return left;
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown && tasks.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
        final Instant due;
        final long seq;

        Task(Callable<V> callable, Instant due, long seq) {
            super(callable);
            this.due = due;
            this.seq = seq;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(clock.instant(), due));
        }

        @Override
        public int compareTo(Delayed other) {
            Task<?> that = (Task<?>) other;
            int byDue = due.compareTo(that.due);
            return byDue != 0 ? byDue : Long.compare(seq, that.seq);
        }

        @Override
        protected void setException(Throwable failure) {
            thrown.add(failure);
            super.setException(failure);
        }

        @Override
        public boolean cancel(boolean mayInterrupt) {
            synchronized (ManualScheduler.this) {
                tasks.remove(this);
            }
            return super.cancel(mayInterrupt);
        }
    }
}
