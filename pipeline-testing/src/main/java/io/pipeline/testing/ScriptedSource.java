package io.pipeline.testing;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Source;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A source that emits a given list of payloads as {@link #event()} when the test says so — {@link #emitNext()},
 * {@link #emitAll()} — or one per tick of a scheduler, typically a {@link VirtualTime}
 * ({@link #ticking(ScheduledExecutorService, Duration)}). It stands in for a real source when a test is about the
 * processors and outputs downstream:
 *
 * <pre>{@code
 * var source = new ScriptedSource<>("manager.source", handler, RestSource.DATA, List.of(poll1, poll2));
 * source.on(RestSource.DATA, processor::handle);
 * source.start();
 * source.emitAll();
 * }</pre>
 *
 * <p>Lifecycle: NEW → RUNNING ({@link #start()}) → DONE ({@link #stop()}, {@link #finish()},
 * {@link #crash(Throwable)}, or the script running out when {@link #finishWhenExhausted()} was asked for).
 * Emitting before {@code start()} throws; after the source is done it emits nothing. Payloads are emitted on the
 * calling thread (the scheduler's when ticking), never under a lock; callers on several threads each emit a
 * different payload, in an order the handler decides. This class is thread-safe.
 *
 * @param <T> the payload type
 */
public class ScriptedSource<T> extends Source {
    private final Event<T> event;
    private final List<T> payloads;
    private final Object lock = new Object();
    private int next; // guarded by lock
    private boolean started; // guarded by lock
    private boolean finishWhenExhausted; // guarded by lock
    private ScheduledExecutorService scheduler; // guarded by lock
    private Duration period; // guarded by lock
    private ScheduledFuture<?> ticks; // guarded by lock

    /**
     * Creates a source that will emit {@code payloads} as {@code event}, in order.
     *
     * @throws NullPointerException if a payload is null
     */
    public ScriptedSource(String name, MessageHandler handler, Event<T> event, List<? extends T> payloads) {
        super(name, handler);
        this.event = Objects.requireNonNull(event, "event");
        this.payloads = List.copyOf(Objects.requireNonNull(payloads, "payloads"));
        for (T payload : this.payloads) {
            if (!event.type().isInstance(payload)) {
                throw new IllegalArgumentException("payload " + payload + " is not a " + event.type().getName());
            }
        }
    }

    /** The event the payloads are emitted as. */
    public final Event<T> event() {
        return event;
    }

    /**
     * Once started, emit the next payload every {@code period} on {@code scheduler} (the first one period after
     * the start), at a fixed rate, until the script runs out. Call before {@link #start()}.
     *
     * @return this source
     * @throws IllegalArgumentException if {@code period} is not positive
     * @throws IllegalStateException if already started
     */
    public final ScriptedSource<T> ticking(ScheduledExecutorService scheduler, Duration period) {
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        synchronized (lock) {
            requireNew("ticking");
            this.scheduler = scheduler;
            this.period = period;
        }
        return this;
    }

    /**
     * Once the last payload is emitted, complete the source's future normally, as a bounded source does (a
     * {@code Flow} then rebuilds its manager if the manager says so). By default the source stays running, silent,
     * until stopped. Call before {@link #start()}.
     *
     * @return this source
     * @throws IllegalStateException if already started
     */
    public final ScriptedSource<T> finishWhenExhausted() {
        synchronized (lock) {
            requireNew("finishWhenExhausted");
            finishWhenExhausted = true;
        }
        return this;
    }

    private void requireNew(String what) {
        if (started) {
            throw new IllegalStateException(what + "() must be called before start() of ScriptedSource '" + name()
                    + "'");
        }
    }

    /**
     * Starts the source; when ticking, schedules the ticks.
     *
     * @throws IllegalStateException if already started
     * @throws RejectedExecutionException if the ticking scheduler rejects the ticks
     */
    @Override
    public CompletableFuture<Void> start() {
        boolean empty;
        ScheduledExecutorService ticker;
        Duration every;
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException("ScriptedSource '" + name() + "' already started");
            }
            started = true;
            empty = payloads.isEmpty();
            ticker = empty ? null : scheduler;
            every = period;
        }
        if (ticker != null) {
            // Outside the lock: the scheduler is the caller's, and may run the tick at once on another thread.
            long nanos = every.toNanos();
            ScheduledFuture<?> scheduled = ticker.scheduleAtFixedRate(this::tick, nanos, nanos, TimeUnit.NANOSECONDS);
            synchronized (lock) {
                ticks = scheduled;
            }
        }
        completion().whenComplete((ignored, failure) -> cancelTicks());
        if (empty && finishWhenExhausted) {
            complete();
        }
        return completion();
    }

    private void tick() {
        if (!emitNext()) {
            cancelTicks();
        }
    }

    private void cancelTicks() {
        ScheduledFuture<?> current;
        synchronized (lock) {
            current = ticks;
            ticks = null;
        }
        if (current != null) {
            current.cancel(false);
        }
    }

    /**
     * Emits the next payload of the script.
     *
     * @return {@code false} if there was none left or the source is done
     * @throws IllegalStateException if the source was not started, or the handler is closed
     */
    public final boolean emitNext() {
        T payload;
        boolean last;
        synchronized (lock) {
            if (!started) {
                throw new IllegalStateException("ScriptedSource '" + name() + "' is not started");
            }
            if (isDone() || next >= payloads.size()) {
                return false;
            }
            payload = payloads.get(next++);
            last = next == payloads.size();
        }
        emit(event, payload);
        if (last && finishWhenExhausted) {
            complete();
        }
        return true;
    }

    /**
     * Emits up to {@code count} payloads.
     *
     * @return how many were emitted
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public final int emit(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count < 0: " + count);
        }
        int emitted = 0;
        while (emitted < count && emitNext()) {
            emitted++;
        }
        return emitted;
    }

    /** Emits every payload left; returns how many. */
    public final int emitAll() {
        return emit(Integer.MAX_VALUE);
    }

    /** How many payloads have been emitted (or are being). */
    public final int emitted() {
        synchronized (lock) {
            return next;
        }
    }

    /** How many payloads are left. */
    public final int remaining() {
        synchronized (lock) {
            return payloads.size() - next;
        }
    }

    /** Completes the source's future normally, as a source that ran out does. */
    public final void finish() {
        complete();
    }

    /** Completes the source's future with {@code failure}, as a source that broke does: a flow fails its manager. */
    public final void crash(Throwable failure) {
        fail(Objects.requireNonNull(failure, "failure"));
    }

    /** Stops the source: no more payloads are emitted; the future completes normally. Idempotent. */
    @Override
    public void stop() {
        super.stop();
        cancelTicks();
    }
}
