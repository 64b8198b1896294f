package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.Processor;
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
 * <p>{@link #request} and the tick listener run on the operator's delivery thread; the scheduler thread only
 * emits. A tick that fires late, twice or after a newer request is harmless: the operator re-reads the clock.
 */
final class Ticker {
    /** The operator's own timer event; its payload is the clock time in milliseconds it was due at. */
    static final Event<Long> TICK = Event.of("tick", Long.class);

    private final Processor owner;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private ScheduledFuture<?> pending;
    private long pendingDue = Long.MAX_VALUE;
    private volatile boolean closed;

    Ticker(Processor owner, Clock clock, ScheduledExecutorService scheduler) {
        this.owner = owner;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    /** Asks for a tick at clock time {@code dueMillis} (or the earlier one already pending). */
    void request(long dueMillis) {
        if (closed || dueMillis >= pendingDue) {
            return;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        pendingDue = dueMillis;
        long delay = Math.max(0, dueMillis - clock.millis());
        try {
            pending = scheduler.schedule(() -> fire(dueMillis), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shutDown) {
            pending = null;
            pendingDue = Long.MAX_VALUE;
        }
    }

    /** Called by the tick listener first: the pending timer has fired. */
    void fired() {
        pending = null;
        pendingDue = Long.MAX_VALUE;
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

    void close() {
        closed = true;
        ScheduledFuture<?> current = pending;
        if (current != null) {
            current.cancel(false);
        }
    }
}
