package io.pipeline.sources;

import io.pipeline.core.Event;
import io.pipeline.core.Processor;
import io.pipeline.core.RecoveredFailure;
import io.pipeline.core.Source;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The reconnect loop {@link WebSocketSource} and {@link SseSource} are built from: keep one connection open, and
 * when it is lost (or an attempt fails) count the failure, emit it as {@code ERROR} with a
 * {@link RecoveredFailure} and then {@code DISCONNECTED}, and either give up at the threshold (failing the source)
 * or reconnect after the source's delay, until the source ends.
 *
 * <p>The source supplies the protocol: a factory of {@link Connection}s, whose callbacks check
 * {@link #isCurrent} and, when the connection ends, call {@link #lost}. Lifecycle: NEW → CONNECTING ⇄ CONNECTED
 * → ENDED ({@link #shutDown}: the current connection is closed, the pending reconnect cancelled, the own scheduler
 * thread and client shut down).
 *
 * <p>Reconnects run on the scheduler; everything else on OkHttp's threads. The lock guards which connection is
 * current; no user code (emits, connection callbacks) runs while it is held. An exception thrown by a scheduled
 * connect fails the source; nothing is swallowed by the scheduler's future. Thread-safe.
 *
 * @param <C> the source's connection type
 */
final class ReconnectLoop<C extends ReconnectLoop.Connection> {
    /** One connection attempt. The loop decides which attempt is current; others are ignored. */
    interface Connection {
        /** Starts connecting. Called once, outside the lock, right after the attempt became current. */
        void open();

        /** Cancels an attempt that {@link #close} could not reach because {@link #open} had not returned yet. */
        void abandon();

        /** Ends the connection because the source ended: {@code normal} when stopped, false when it failed. */
        void close(boolean normal);
    }

    private final Source source;
    private final StreamCounters counters;
    private final String kind;
    private final String url;
    private final Consumer<Throwable> fail;
    private final Supplier<C> connections;
    private final IntFunction<Duration> delays;
    private final Event<String> disconnected;
    private final StreamClient client;
    private final FailureCounter failures;
    private final FailureLog log;
    private final StreamTimers timers;
    private final Object lock = new Object();
    private C current; // guarded by lock
    private ScheduledFuture<?> reconnect; // guarded by lock
    private boolean closed; // guarded by lock
    private boolean attempted; // guarded by lock: a connection was attempted before

    /**
     * @param source the source, which emits; {@code fail} fails its future
     * @param type the public source class, which names the source in messages and logs
     * @param threadName the name of the own scheduler thread when none is injected
     * @param redactedUrl the URL connected to, safe to log
     * @param delays the delay before reconnect number {@code n} of failures in a row
     * @param counters the source's counters; the loop counts reconnects
     */
    ReconnectLoop(Source source, StreamCounters counters, Class<?> type, Consumer<Throwable> fail, String redactedUrl,
                  StreamClient client,
                  int exceptionThreshold, ScheduledExecutorService scheduler, String threadName,
                  Supplier<C> connections, IntFunction<Duration> delays, Event<String> disconnected) {
        this.source = source;
        this.counters = Objects.requireNonNull(counters, "counters");
        this.kind = type.getSimpleName() + " '" + source.name() + "'";
        this.fail = fail;
        this.url = redactedUrl;
        this.client = client;
        this.failures = new FailureCounter(exceptionThreshold);
        this.log = new FailureLog(type, source);
        this.timers = StreamTimers.create(scheduler, threadName);
        this.connections = connections;
        this.delays = delays;
        this.disconnected = Objects.requireNonNull(disconnected, "disconnected");
    }

    /** Connects for the first time. */
    void start() {
        connectSafely();
    }

    /** The URL connected to, redacted. */
    String url() {
        return url;
    }

    /** The client in use. */
    StreamClient client() {
        return client;
    }

    /** The scheduler of reconnects and watchdogs. */
    StreamTimers timers() {
        return timers;
    }

    /** The current connection, or null between connections and once the source has ended. */
    C current() {
        synchronized (lock) {
            return current;
        }
    }

    /** Whether {@code connection} is the current one and the source has not ended. */
    boolean isCurrent(C connection) {
        synchronized (lock) {
            return current == connection && !closed;
        }
    }

    /** The failures in a row so far. */
    int consecutiveFailures() {
        return failures.consecutive();
    }

    /** A connection works: a message was received and handled, so the failure count starts over. */
    void resetFailures() {
        failures.reset();
    }

    /**
     * Handles the loss of {@code connection} (or its failed attempt): if it was current, counts and logs the
     * failure, emits it as {@code ERROR} (a {@link RecoveredFailure} with {@code cause}) and {@code DISCONNECTED}
     * with {@code reason}, then reconnects after the delay or, at the threshold, fails the source.
     */
    void lost(C connection, String reason, Throwable cause) {
        synchronized (lock) {
            if (current != connection || closed) {
                return;
            }
            current = null;
        }
        try (FailureLog.Context ignored = log.context()) {
            report(reason, cause);
        }
    }

    /** The counters of this source. */
    StreamCounters counters() {
        return counters;
    }

    private void report(String reason, Throwable cause) {
        int count = failures.record(cause);
        boolean exhausted = failures.exhausted(count);
        log.failure(cause, count, failures.threshold(), exhausted ? "giving up" : "reconnecting");
        String what = reason + " (" + count + " of " + failures.threshold() + " failures in a row; "
                + (exhausted ? "giving up" : "reconnecting") + ")";
        if (!emitOrFail(Processor.ERROR, new RecoveredFailure(kind + " " + url + ": " + what, cause))
                || !emitOrFail(disconnected, reason)) {
            return;
        }
        if (exhausted) {
            fail.accept(failures.tooMany(kind, url));
            return;
        }
        Duration delay = delays.apply(count);
        RejectedExecutionException rejected = null;
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                reconnect = timers.schedule(this::connectSafely, delay);
            } catch (RejectedExecutionException e) {
                rejected = e;
            }
        }
        if (rejected != null) {
            fail.accept(rejected);
        }
    }

    /** Emits {@code payload}; when the handler refuses it (closed, full), fails the source instead. */
    <T> boolean emitOrFail(Event<T> event, T payload) {
        try {
            source.emit(event, payload);
            return true;
        } catch (RuntimeException e) {
            fail.accept(e);
            return false;
        }
    }

    /** Emits a failure the connection survives (a refused or malformed message) as a {@link RecoveredFailure}. */
    void recovered(Throwable failure) {
        emitOrFail(Processor.ERROR, new RecoveredFailure(kind + ": " + failure.getMessage(), failure));
    }

    /** Connects; whatever it throws fails the source and is reported, never lost in a scheduler's future. */
    private void connectSafely() {
        try {
            connect();
        } catch (RuntimeException | Error e) {
            fail.accept(new IllegalStateException(kind + " could not connect to " + url + ": " + e, e));
            if (e instanceof VirtualMachineError error) {
                throw error;
            }
        }
    }

    private void connect() {
        synchronized (lock) {
            reconnect = null;
            if (closed || source.isDone()) {
                return;
            }
        }
        C connection = connections.get();
        boolean reconnecting;
        synchronized (lock) {
            if (closed) {
                return;
            }
            current = connection;
            reconnecting = attempted;
            attempted = true;
        }
        if (reconnecting) {
            counters.reconnects().increment();
        }
        try (FailureLog.Context ignored = log.context()) {
            log.debug(reconnecting ? "reconnecting to" : "connecting to", url);
        }
        // Outside the lock: enqueueing the call may run the client's EventListener.
        connection.open();
        boolean abandoned;
        synchronized (lock) {
            abandoned = closed || current != connection;
        }
        if (abandoned) {
            connection.abandon(); // shutDown() ran meanwhile and could not see this call
        }
    }

    /** Ends the loop: closes the current connection, cancels the reconnect, shuts down own threads. Idempotent. */
    void shutDown(boolean normal) {
        C connection;
        ScheduledFuture<?> pending;
        synchronized (lock) {
            closed = true;
            connection = current;
            current = null;
            pending = reconnect;
            reconnect = null;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        if (connection != null) {
            connection.close(normal);
        }
        timers.shutdown();
        client.shutdown();
    }
}
