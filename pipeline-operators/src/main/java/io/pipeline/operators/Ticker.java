package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.StartGate;
import java.time.Clock;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A clock-driven operator's timer. It keeps at most one timer, for the earliest deadline asked for; when it
 * fires, on the scheduler's thread, it only emits {@link #TICK} on its operator, so the operator's work runs where
 * its listeners run (an {@code AsyncDispatcher}'s loop thread: never concurrently with its messages).
 *
 * <p>Lifecycle: HELD → RUNNING → CLOSED. A ticker is held until the manager that named its operator has started
 * ({@link StartGate}; at once outside a manager): a deadline asked for while held is remembered and its timer set
 * when the ticker starts. This matters after a restart: an operator that took over its predecessor's state may
 * find a deadline already passed when it is built, and a timer set then would fire — on the scheduler's thread,
 * delivered on the handler's — before the manager's constructor has subscribed the listeners of what the tick
 * emits; the alert or pane it emits would be a dead event, and the state it changed would not emit it again.
 * {@link #onTick} ignores ticks while held and once closed: a tick its predecessor (same name, same topic) had
 * sent before it was closed may arrive at any time, and a closed operator must not change the state it handed on.
 *
 * <p>{@link #request} and {@link #fired} are called under the operator's lock, {@link #start} on the thread that
 * starts the manager; the ticker's own fields are guarded by itself. A tick that fires late, twice or after a newer
 * request is harmless: the operator re-reads the clock.
 */
final class Ticker {
    /** The operator's own timer event; its payload is the clock time in milliseconds it was due at. */
    static final Event<Long> TICK = Event.of("tick", Long.class);

    private final Processor owner;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    /** Guarded by {@code this}. */
    private ScheduledFuture<?> pending;
    /** The earliest deadline asked for: the pending timer's, or (while held) the one to set at start. */
    private long pendingDue = Long.MAX_VALUE;
    private volatile boolean started;
    private volatile boolean closed;

    /** A ticker for {@code owner}, held until the manager that named it starts. */
    Ticker(Processor owner, MessageHandler handler, Clock clock, ScheduledExecutorService scheduler) {
        this.owner = owner;
        this.clock = clock;
        this.scheduler = scheduler;
        StartGate.of(handler).whenStarted(owner.name(), this::start);
    }

    /** Subscribes {@code onTick} to the owner's ticks, running it only while this ticker runs. */
    void onTick(Runnable onTick) {
        owner.on(TICK, due -> {
            if (started && !closed) {
                onTick.run();
            }
        });
    }

    /** Asks for a tick at clock time {@code dueMillis} (or the earlier one already pending). */
    synchronized void request(long dueMillis) {
        if (closed || dueMillis >= pendingDue) {
            return;
        }
        pendingDue = dueMillis;
        if (started) {
            arm();
        }
    }

    /** Called by the tick listener first: the pending timer has fired. */
    synchronized void fired() {
        pending = null;
        pendingDue = Long.MAX_VALUE;
    }

    /** The manager started: sets the timer for the deadline asked for while held, if any. */
    private synchronized void start() {
        started = true;
        if (!closed && pendingDue != Long.MAX_VALUE) {
            arm();
        }
    }

    /** Under the lock: (re)sets the timer for {@link #pendingDue}. */
    private void arm() {
        if (pending != null) {
            pending.cancel(false);
        }
        long due = pendingDue;
        long delay = Math.max(0, due - clock.millis());
        try {
            pending = scheduler.schedule(() -> fire(due), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shutDown) {
            pending = null;
            pendingDue = Long.MAX_VALUE;
        }
    }

    private void fire(long due) {
        if (closed) {
            return;
        }
        try {
            owner.emit(TICK, due);
        } catch (IllegalStateException handlerClosed) {
            closed = true;
        }
    }

    synchronized void close() {
        closed = true;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
