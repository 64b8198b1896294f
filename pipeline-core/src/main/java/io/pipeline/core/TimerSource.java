package io.pipeline.core;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the time sources share: a clock, a scheduler (injected, or a thread of the source's own that ends with
 * it), and wall-clock alignment.
 *
 * <p>Two promises are kept here for every time source. A tick never runs before its instant on the source's
 * clock: a scheduler's timer and the wall clock drift apart (clock slew), so a task that fires while the clock
 * still reads before the instant is re-armed, and a restarted {@link TimeSource} never ticks twice for one
 * period. And a tick that fails — the emit throws, or a listener's {@link VirtualMachineError} escapes a
 * {@link SyncDispatcher} — fails the source, so that its future completes and the flow hears of it; it never
 * just stops the ticks silently (a VirtualMachineError is rethrown after that).
 */
abstract class TimerSource extends Source {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Clock clock;
    private final ScheduledExecutorService injected;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile ScheduledExecutorService scheduler;
    private volatile ScheduledFuture<?> pending;
    /** Ticks emitted, over every restart: {@link SourceMetrics#counter(String) counter("ticks")}. */
    private final SourceCounter ticks;
    /** The thread of the source's own scheduler, if it made one. */
    private volatile Thread ownThread;

    TimerSource(String name, MessageHandler handler, Clock clock, ScheduledExecutorService scheduler) {
        super(name, handler);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.injected = scheduler;
        this.ticks = counter(TICKS);
    }

    /** The name of the counter of emitted ticks. */
    static final String TICKS = "ticks";

    /** Emits one tick and counts it. */
    final void emitTick(Event<Instant> event, Instant at) {
        emit(event, at);
        ticks.increment();
    }

    static Duration positive(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + value);
        }
        return value;
    }

    final Clock clock() {
        return clock;
    }

    /**
     * Starts the source: its work begins on the scheduler.
     *
     * @throws IllegalStateException if already started
     */
    @Override
    public final CompletableFuture<Void> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(getClass().getSimpleName() + " '" + name() + "' already started");
        }
        scheduler = injected != null ? injected : ownScheduler();
        completion().whenComplete((ignored, failure) -> {
            ScheduledFuture<?> next = pending;
            if (next != null) {
                next.cancel(false);
            }
            if (injected == null) {
                scheduler.shutdown();
            }
        });
        onStart();
        return completion();
    }

    /**
     * A thread of this source's own. Its shutdown drops a delayed tick instead of running it when due (the
     * executors' default): a tick re-armed while the source stops would otherwise keep the thread, and a flow's
     * close waiting for it, alive for up to a period.
     */
    private ScheduledExecutorService ownScheduler() {
        ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "pipeline-" + name());
            thread.setDaemon(true);
            ownThread = thread;
            return thread;
        });
        own.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        own.setRemoveOnCancelPolicy(true);
        return own;
    }

    /** Called once by {@link #start()}; schedules the first piece of work. */
    abstract void onStart();

    /**
     * Runs {@code task} on the scheduler at {@code at} on this source's clock (at once if that has passed): if
     * the scheduler fires while the clock still reads before {@code at}, the task is re-armed for the rest.
     */
    final void scheduleAt(Instant at, Runnable task) {
        try {
            pending = scheduler.schedule(() -> fire(at, task), nanosUntil(at), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            if (!isStopped()) {
                fail(e);
            }
        }
    }

    private void fire(Instant at, Runnable task) {
        if (isDone()) {
            return;
        }
        if (clock.instant().isBefore(at)) {
            scheduleAt(at, task); // the clock lags the scheduler's timer: wait for the rest
            return;
        }
        runGuarded(task);
    }

    /** Nanoseconds from now on the clock to {@code at}, at least 0, saturated. */
    private long nanosUntil(Instant at) {
        Duration delay = Duration.between(clock.instant(), at);
        if (delay.isNegative()) {
            return 0;
        }
        try {
            return delay.toNanos();
        } catch (ArithmeticException beyondLong) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Runs a tick as the source's emitting work ({@link #beginEmitting()}): a tick that is still in its listeners
     * keeps the future from completing after {@link #stop()}, so that a flow's close waits for it before closing
     * resources, and a tick that fires after {@code stop()} never runs. A failure to emit (closed handler, full
     * queue under FAIL, a listener's fatal error under a {@link SyncDispatcher}) fails the source. A
     * {@link VirtualMachineError} is rethrown once the source failed.
     */
    final void runGuarded(Runnable task) {
        if (!beginEmitting()) {
            return;
        }
        try {
            task.run();
        } catch (Throwable failure) {
            fail(failure);
            if (failure instanceof VirtualMachineError fatal) {
                throw fatal;
            }
        } finally {
            endEmitting();
        }
    }

    /**
     * The first instant {@code k * period + offset} (counted from the epoch) strictly after {@code after}, or
     * {@link Instant#MAX} when that lies beyond it (a period or offset of centuries, up to
     * {@link java.time.temporal.ChronoUnit#FOREVER}: such a source never ticks rather than failing to start).
     */
    static Instant nextAligned(Instant after, Duration period, Duration offset) {
        // In exact arithmetic: nanoseconds since the epoch pass a long in 2262, and a period or offset may be FOREVER.
        // Once per tick, so the cost of BigInteger does not matter.
        BigInteger periodNanos = nanos(period.getSeconds(), period.getNano());
        BigInteger offsetNanos = nanos(offset.getSeconds(), offset.getNano()).mod(periodNanos);
        BigInteger[] turns = nanos(after.getEpochSecond(), after.getNano()).subtract(offsetNanos)
                .divideAndRemainder(periodNanos);
        BigInteger floor = turns[1].signum() < 0 ? turns[0].subtract(BigInteger.ONE) : turns[0];
        BigInteger next = floor.add(BigInteger.ONE).multiply(periodNanos).add(offsetNanos);
        if (next.compareTo(nanos(Instant.MAX.getEpochSecond(), Instant.MAX.getNano())) > 0) {
            return Instant.MAX;
        }
        BigInteger[] seconds = next.divideAndRemainder(BILLION);
        BigInteger whole = seconds[1].signum() < 0 ? seconds[0].subtract(BigInteger.ONE) : seconds[0];
        return Instant.ofEpochSecond(whole.longValueExact(), next.subtract(whole.multiply(BILLION)).longValueExact());
    }

    private static final BigInteger BILLION = BigInteger.valueOf(NANOS_PER_SECOND);

    private static BigInteger nanos(long seconds, int nanos) {
        return BigInteger.valueOf(seconds).multiply(BILLION).add(BigInteger.valueOf(nanos));
    }

    /**
     * Cancels the schedule. Returns at once; the future completes normally when no tick is in progress — at once,
     * or when the running tick's listeners have returned. Not waited for here: a listener on an
     * {@link AsyncDispatcher}'s loop stopping its source while the tick waits for room in the queue would wait for
     * itself.
     */
    @Override
    public void stop() {
        super.stop();
    }

    /**
     * After the future completed: waits until the source's own thread, if it has one, has ended (unless this thread
     * is it), so that no thread of the source outlives a flow's close.
     */
    @Override
    void awaitIdle() {
        if (emittingOnThisThread() || !running().isDone()) {
            return; // a listener of this tick closing the flow, or a tick the flow gave up waiting for
        }
        Thread own = ownThread;
        ScheduledExecutorService current = scheduler;
        if (injected == null && current != null && own != null && own != Thread.currentThread()) {
            awaitEnd(current, own);
        }
    }

    private static void awaitEnd(ScheduledExecutorService own, Thread thread) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (own.awaitTermination(1, TimeUnit.MINUTES)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            while (thread.isAlive()) { // a terminated executor's worker may still be on its way out
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
