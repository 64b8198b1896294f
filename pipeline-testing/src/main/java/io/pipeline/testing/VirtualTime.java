package io.pipeline.testing;

import io.pipeline.core.Subscription;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One virtual clock and the scheduler that runs on it: give the same object as the {@link Clock} and the
 * {@link ScheduledExecutorService} of a pipeline — a {@code Flow}, the time sources, a {@code RestSource} — and the
 * test decides when time passes.
 *
 * <pre>{@code
 * VirtualTime time = VirtualTime.startingAt(Instant.parse("2026-01-05T09:30:00Z"));
 * CronSource ticks = new CronSource("ticks", handler, Duration.ofMinutes(1), time, time);
 * EventRecorder<Instant> seen = EventRecorder.of(ticks, CronSource.TICK);
 * ticks.start();
 *
 * time.advance(Duration.ofMinutes(3));
 *
 * assertThat(seen.values()).hasSize(3);
 * }</pre>
 *
 * <h2>How time moves</h2>
 * Time stands still until the test calls {@link #advance(Duration)}, {@link #advanceTo(Instant)},
 * {@link #advanceToNext()} or {@link #runUntilIdle()}. These run the due tasks <em>on the calling thread</em>, one
 * at a time, in the order of their due instants; tasks due at the same instant run in the order they were
 * scheduled. Before running a task the clock is set to its due instant, so the task reads the time it was planned
 * for; when no task is left in the span, the clock is set to the end of the span. Running a task takes no virtual
 * time.
 *
 * <h2>Re-entrancy</h2>
 * A task may schedule further tasks. One due within the span being advanced runs within the same call — a task
 * scheduled with a zero delay runs at the current instant, after the tasks already due then — and one due later
 * waits for a later call. So {@code advance(Duration.ofHours(24))} on a poller that plans its next poll after each
 * one runs every poll of the day. A task must not itself call {@code advance}, {@code advanceTo},
 * {@code advanceToNext} or {@code runUntilIdle}: that throws {@link IllegalStateException}.
 *
 * <h2>Executor semantics</h2>
 * {@link #execute(Runnable)} and the {@code submit} methods schedule with a zero delay: the task runs at the
 * current instant during the next {@code advance…} or {@code runUntilIdle()} call, never inside {@code execute}.
 * Fixed-rate tasks are planned at the first due instant plus whole periods (an advance over several periods runs
 * each missed run in turn); fixed-delay tasks at the instant a run ended plus the delay. A periodic task that
 * throws is not run again, and its future fails, as in {@link java.util.concurrent.ScheduledThreadPoolExecutor}.
 * Every failure of a task is also kept in {@link #taskFailures()}, so none goes unseen. Cancelling a future
 * removes its task. {@link #shutdown()} rejects new tasks and drops periodic ones; delayed one-shot tasks already
 * scheduled still run as time advances, and the scheduler is terminated once none is left.
 * {@link #shutdownNow()} drops every task and returns them unrun. {@link #awaitTermination} never moves time.
 * The blocking {@code invokeAll}/{@code invokeAny} are not supported: in virtual time nothing would run them.
 *
 * <p>This class is thread-safe: any thread may read the clock and schedule tasks (an OkHttp callback planning a
 * reconnect, say), and {@link #awaitPending(int, Duration)} lets the test wait, in wall time, for such a task to be
 * scheduled. Only one thread at a time may advance time. Step listeners ({@link #onStep(Runnable)}) and tasks run
 * on the advancing thread, never under a lock of this class.
 */
public final class VirtualTime extends Clock implements ScheduledExecutorService {
    /** Where {@link #create()} starts: a Monday, midnight UTC. */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-05T00:00:00Z");

    private final Object lock = new Object();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final List<Runnable> stepListeners = new CopyOnWriteArrayList<>();
    private volatile Instant now;

    // ---- guarded by lock ----
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private long sequence;
    private boolean shutdown;
    private Thread driver;
    private boolean running;

    private VirtualTime(Instant start) {
        this.now = start;
    }

    /** A virtual time starting at {@link #DEFAULT_START}. */
    public static VirtualTime create() {
        return new VirtualTime(DEFAULT_START);
    }

    /** A virtual time starting at {@code start}. */
    public static VirtualTime startingAt(Instant start) {
        return new VirtualTime(Objects.requireNonNull(start, "start"));
    }

    // ---- the clock ---------------------------------------------------------------------------------------------

    /** The current virtual instant. */
    @Override
    public Instant instant() {
        return now;
    }

    /** {@link ZoneOffset#UTC}. */
    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** A clock in {@code zone} that reads this virtual time. */
    @Override
    public Clock withZone(ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        return zone.equals(ZoneOffset.UTC) ? this : new ZonedView(this, zone);
    }

    // ---- moving time -------------------------------------------------------------------------------------------

    /**
     * Moves time forward by {@code duration}, running every task due until then, those scheduled meanwhile
     * included, in time order. A duration that would pass {@link Instant#MAX} stops there.
     *
     * @return how many tasks ran
     * @throws IllegalArgumentException if {@code duration} is negative
     * @throws IllegalStateException if called from a task, or while another thread advances time
     */
    public int advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("cannot advance by a negative duration: " + duration);
        }
        return drive(() -> plus(now, duration));
    }

    /**
     * Moves time forward to {@code instant}, running every task due until then. An instant in the past leaves the
     * clock where it is and runs what is due now.
     *
     * @return how many tasks ran
     * @throws IllegalStateException if called from a task, or while another thread advances time
     */
    public int advanceTo(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        return drive(() -> instant.isAfter(now) ? instant : now);
    }

    /**
     * Moves time to the due instant of the next task and runs every task due then. Handy when a test cares about
     * the order of what happens, not about when.
     *
     * @return the instant moved to, or empty (time unchanged) if no task is scheduled
     * @throws IllegalStateException if called from a task, or while another thread advances time
     */
    public Optional<Instant> advanceToNext() {
        Optional<Instant> next = nextDue();
        if (next.isEmpty()) {
            return next;
        }
        advanceTo(next.get());
        return Optional.of(now);
    }

    /**
     * Runs every task due now, including those they schedule for now, without moving time. This is how tasks given
     * to {@link #execute(Runnable)} run.
     *
     * @return how many tasks ran
     * @throws IllegalStateException if called from a task, or while another thread advances time
     */
    public int runUntilIdle() {
        return drive(() -> now);
    }

    private interface Target {
        Instant get();
    }

    private int drive(Target target) {
        enter();
        try {
            Instant end = target.get();
            int count = 0;
            Task<?> task;
            while ((task = nextDueBy(end)) != null) {
                task.runOnce();
                count++;
                fireStep();
            }
            synchronized (lock) {
                now = end;
            }
            fireStep();
            return count;
        } finally {
            exit();
        }
    }

    /** Takes the next task due by {@code end}, moving the clock to its instant. */
    private Task<?> nextDueBy(Instant end) {
        synchronized (lock) {
            Task<?> next = queue.peek();
            if (next == null || next.due.isAfter(end)) {
                running = false;
                lock.notifyAll();
                return null;
            }
            queue.poll();
            if (next.due.isAfter(now)) {
                now = next.due;
            }
            running = true;
            return next;
        }
    }

    private void fireStep() {
        for (Runnable listener : stepListeners) {
            listener.run();
        }
    }

    private void enter() {
        synchronized (lock) {
            Thread current = Thread.currentThread();
            if (driver == current) {
                throw new IllegalStateException("a task running on VirtualTime cannot advance it; schedule instead");
            }
            if (driver != null) {
                throw new IllegalStateException("time is already being advanced by thread " + driver.getName());
            }
            driver = current;
        }
    }

    private void exit() {
        synchronized (lock) {
            driver = null;
            running = false;
            lock.notifyAll();
        }
    }

    // ---- watching ----------------------------------------------------------------------------------------------

    /**
     * Calls {@code listener} on the advancing thread after each step: after every task that ran, and at the end of
     * every {@code advance…}/{@code runUntilIdle()} call, once the clock is at its target. A listener that throws
     * ends that call with its exception. {@link StatusRecorder#sampleOn(VirtualTime)} uses
     * this.
     *
     * @return the registration; cancel it to stop listening
     */
    public Subscription onStep(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        stepListeners.add(listener);
        return () -> stepListeners.remove(listener);
    }

    /** How many tasks are scheduled and not yet run (periodic ones count once). */
    public int pending() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** The due instant of the next scheduled task, if any. */
    public Optional<Instant> nextDue() {
        synchronized (lock) {
            Task<?> next = queue.peek();
            return next == null ? Optional.empty() : Optional.of(next.due);
        }
    }

    /**
     * How long from now until the next scheduled task is due: {@link Duration#ZERO} for a task that runs at the
     * current instant (one given to {@link #execute(Runnable)}, say), empty if no task is scheduled.
     */
    public Optional<Duration> nextDelay() {
        synchronized (lock) {
            Task<?> next = queue.peek();
            return next == null ? Optional.empty() : Optional.of(Duration.between(now, next.due));
        }
    }

    /**
     * Waits, in wall time, until at least {@code count} tasks are scheduled: for a test that must let another
     * thread (an OkHttp callback, say) plan its next step before advancing time.
     *
     * @throws AssertionError if fewer are scheduled after {@code timeout}
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public void awaitPending(int count, Duration timeout) throws InterruptedException {
        if (count < 0) {
            throw new IllegalArgumentException("count < 0: " + count);
        }
        long deadline = System.nanoTime() + Objects.requireNonNull(timeout, "timeout").toNanos();
        synchronized (lock) {
            while (queue.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected at least " + count + " scheduled task(s) within " + timeout
                            + ", but " + queue.size() + " are scheduled at " + now);
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
    }

    /**
     * Waits, in wall time, until a task is scheduled to run within {@code span} of the current instant: for a test
     * that must let another thread plan a step (a reconnect after a disconnect, say) while other tasks (a
     * watchdog due later) are already scheduled.
     *
     * @return the due instant of the earliest task
     * @throws AssertionError if no such task is scheduled after {@code timeout}
     * @throws IllegalArgumentException if {@code span} is negative
     */
    public Instant awaitTaskDueWithin(Duration span, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(span, "span");
        if (span.isNegative()) {
            throw new IllegalArgumentException("span is negative: " + span);
        }
        long deadline = System.nanoTime() + Objects.requireNonNull(timeout, "timeout").toNanos();
        synchronized (lock) {
            while (true) {
                Task<?> next = queue.peek();
                if (next != null && !next.due.isAfter(plus(now, span))) {
                    return next.due;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected a task due within " + span + " of " + now + " to be scheduled"
                            + " within " + timeout + "; the next is " + (next == null ? "none" : "due " + next.due));
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
    }

    /** Every exception or error a task has thrown so far, in the order they were thrown. */
    public List<Throwable> taskFailures() {
        return List.copyOf(failures);
    }

    // ---- scheduling --------------------------------------------------------------------------------------------

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        return add(new Task<>(Executors.callable(command, null), 0, false), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Objects.requireNonNull(callable, "callable");
        return add(new Task<>(callable, 0, false), delay, unit);
    }

    /** @throws IllegalArgumentException if {@code period} is not positive */
    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return add(periodic(command, period, unit, true), initialDelay, unit);
    }

    /** @throws IllegalArgumentException if {@code delay} is not positive */
    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return add(periodic(command, delay, unit, false), initialDelay, unit);
    }

    private Task<Void> periodic(Runnable command, long period, TimeUnit unit, boolean fixedRate) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        if (period <= 0) {
            throw new IllegalArgumentException((fixedRate ? "period" : "delay") + " must be positive: " + period
                    + " " + unit);
        }
        return new Task<>(Executors.callable(command, null), unit.toNanos(period), fixedRate);
    }

    /** Runs {@code command} at the current instant, during the next {@code advance…}/{@code runUntilIdle()}. */
    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        return add(new Task<>(Executors.callable(task, result), 0, false), 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    private <V> Task<V> add(Task<V> task, long delay, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        long nanos = Math.max(0, unit.toNanos(delay));
        synchronized (lock) {
            if (shutdown) {
                throw new RejectedExecutionException("VirtualTime is shut down");
            }
            task.due = plus(now, Duration.ofNanos(nanos));
            task.seq = sequence++;
            queue.add(task);
            lock.notifyAll();
        }
        return task;
    }

    /** Plans a periodic task's next run; false if it must not run again. */
    private boolean reschedule(Task<?> task) {
        synchronized (lock) {
            if (shutdown || task.isCancelled()) {
                return false;
            }
            Instant next = plus(task.fixedRate ? task.due : now, Duration.ofNanos(task.period));
            if (!next.isAfter(task.due)) {
                return false; // saturated at Instant.MAX: it could never move on
            }
            task.due = next;
            task.seq = sequence++;
            queue.add(task);
            lock.notifyAll();
            return true;
        }
    }

    private static Instant plus(Instant instant, Duration duration) {
        try {
            return instant.plus(duration);
        } catch (DateTimeException | ArithmeticException beyond) {
            return Instant.MAX;
        }
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------------

    /** Rejects new tasks and drops periodic ones; scheduled one-shot tasks still run as time advances. */
    @Override
    public void shutdown() {
        synchronized (lock) {
            shutdown = true;
            queue.removeIf(task -> task.period != 0);
            lock.notifyAll();
        }
    }

    /** Rejects new tasks and drops every scheduled one. */
    @Override
    public List<Runnable> shutdownNow() {
        synchronized (lock) {
            shutdown = true;
            List<Runnable> left = new ArrayList<>(queue);
            queue.clear();
            lock.notifyAll();
            return left;
        }
    }

    @Override
    public boolean isShutdown() {
        synchronized (lock) {
            return shutdown;
        }
    }

    /** Whether it is shut down, no task is scheduled and none is running. */
    @Override
    public boolean isTerminated() {
        synchronized (lock) {
            return shutdown && queue.isEmpty() && !running;
        }
    }

    /**
     * Waits, in wall time, for termination; time is not moved, so unless another thread is advancing it this returns
     * {@link #isTerminated()} once the timeout has passed.
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            while (!(shutdown && queue.isEmpty() && !running)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** @throws UnsupportedOperationException always: it would block forever, as nothing advances time meanwhile */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) {
        throw blocking("invokeAll");
    }

    /** @throws UnsupportedOperationException always: it would block forever, as nothing advances time meanwhile */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
        throw blocking("invokeAll");
    }

    /** @throws UnsupportedOperationException always: it would block forever, as nothing advances time meanwhile */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) {
        throw blocking("invokeAny");
    }

    /** @throws UnsupportedOperationException always: it would block forever, as nothing advances time meanwhile */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
        throw blocking("invokeAny");
    }

    private static UnsupportedOperationException blocking(String method) {
        return new UnsupportedOperationException(method + " would wait for tasks that only advance() runs: submit "
                + "them and advance time instead");
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "VirtualTime[" + now + ", " + queue.size() + " scheduled" + (shutdown ? ", shut down" : "") + "]";
        }
    }

    // ---- tasks -------------------------------------------------------------------------------------------------

    /** A scheduled task; {@code due} and {@code seq} are guarded by the scheduler's lock. */
    private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
        final long period; // 0 for a one-shot task
        final boolean fixedRate;
        Instant due;
        long seq;

        Task(Callable<V> callable, long period, boolean fixedRate) {
            super(callable);
            this.period = period;
            this.fixedRate = fixedRate;
        }

        void runOnce() {
            if (period == 0) {
                run();
            } else if (runAndReset()) {
                reschedule(this);
            }
        }

        @Override
        protected void setException(Throwable failure) {
            failures.add(failure);
            super.setException(failure);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            Instant at;
            synchronized (lock) {
                at = due;
            }
            Duration left = Duration.between(now, at);
            try {
                return unit.convert(left);
            } catch (ArithmeticException huge) {
                return left.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
        }

        @Override
        public int compareTo(Delayed other) {
            if (other instanceof Task<?> that) {
                int byDue = due.compareTo(that.due);
                return byDue != 0 ? byDue : Long.compare(seq, that.seq);
            }
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                synchronized (lock) {
                    queue.remove(this);
                    lock.notifyAll();
                }
            }
            return cancelled;
        }
    }

    /** This virtual time seen in another zone. */
    private static final class ZonedView extends Clock {
        private final VirtualTime time;
        private final ZoneId zone;

        ZonedView(VirtualTime time, ZoneId zone) {
            this.time = time;
            this.zone = zone;
        }

        @Override
        public Instant instant() {
            return time.instant();
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId other) {
            return time.withZone(other);
        }
    }
}
