package io.pipeline.sources;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Source;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle {@link WebSocketSource} and {@link SseSource} share: keep one connection open, and when it is
 * lost (or an attempt fails) emit {@code DISCONNECTED}, count the failure, and either give up at the threshold
 * or reconnect after {@link #reconnectDelay(int)}, until the source is stopped.
 *
 * <p>A subclass supplies the protocol: {@link #newConnection()} makes a {@link Connection} (its OkHttp listener),
 * whose callbacks check {@link #isCurrent} and, when the connection ends, call {@link #release} and then
 * {@link #disconnected}. Lifecycle: NEW → CONNECTING ⇄ CONNECTED → STOPPED (by {@link #stop()}, future completes
 * normally) or FAILED (threshold reached or the handler closed; future completes exceptionally); then the
 * current connection is closed, pending reconnects are cancelled and the source's own scheduler thread and
 * client end.
 *
 * <p>Reconnects run on the scheduler ({@code pipeline-<name>-<protocol>} unless one is injected); everything
 * else on OkHttp's threads. The lock guards which connection is current; no user code runs while it is held.
 * This class is thread-safe.
 *
 * @param <C> the subclass's connection type
 */
abstract class ReconnectingSource<C extends ReconnectingSource.Connection> extends Source {
    /** One connection attempt. The source's lock decides which attempt is current; others are ignored. */
    interface Connection {
        /** Starts connecting. Called once, outside the lock, right after the attempt became current. */
        void open();

        /** Cancels an attempt that {@link #close} could not reach because {@link #open} had not returned yet. */
        void abandon();

        /** Ends the connection because the source ended: {@code normal} when stopped, false when it failed. */
        void close(boolean normal);
    }

    private final String kind;
    private final Logger log;
    private final String protocol;
    private final String url;
    private final StreamClient client;
    private final StreamFailures failures;
    private final ScheduledExecutorService injectedScheduler;
    private final AtomicBoolean started = new AtomicBoolean();
    private final Object lock = new Object();
    private volatile StreamTimers timers;
    private C current; // guarded by lock
    private ScheduledFuture<?> reconnect; // guarded by lock
    private boolean closed; // guarded by lock

    /**
     * @param type the public source class, which names the source in messages and logs
     * @param protocol names the source's own scheduler thread: {@code pipeline-<name>-<protocol>}
     * @param redactedUrl the URL connected to, safe to log
     */
    ReconnectingSource(String name, MessageHandler handler, Class<?> type, String protocol, String redactedUrl,
                       StreamClient client, int exceptionThreshold, Optional<ScheduledExecutorService> scheduler) {
        super(name, handler);
        this.kind = type.getSimpleName();
        this.log = LoggerFactory.getLogger(type);
        this.protocol = protocol;
        this.url = redactedUrl;
        this.client = client;
        this.failures = new StreamFailures(exceptionThreshold);
        this.injectedScheduler = scheduler.orElse(null);
    }

    /** A new, not yet current, connection attempt. */
    abstract C newConnection();

    /** The delay before reconnect number {@code failuresInARow}. */
    abstract Duration reconnectDelay(int failuresInARow);

    /**
     * Connects, and keeps reconnecting until {@link #stop()} or too many failures. Returns at once.
     *
     * @throws IllegalStateException if already started
     */
    @Override
    public CompletableFuture<Void> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(kind + " '" + name() + "' already started");
        }
        timers = StreamTimers.start(injectedScheduler, "pipeline-" + name() + "-" + protocol);
        completion().whenComplete((ignored, failure) -> shutDown(failure == null));
        connect();
        return completion();
    }

    /** The URL connected to, redacted. */
    final String redactedUrl() {
        return url;
    }

    /** The OkHttp client in use, with the subclass's settings applied. */
    final OkHttpClient client() {
        return client.client();
    }

    /** Whether the client was created by this source, which then shuts it down with itself. */
    final boolean ownsClient() {
        return client.owned();
    }

    /** Waits until the source's own scheduler thread has ended. */
    final boolean awaitTermination(Duration timeout) throws InterruptedException {
        StreamTimers t = timers;
        return t == null || t.awaitTermination(timeout);
    }

    /** The current connection, or null between connections and once the source has ended. */
    final C current() {
        synchronized (lock) {
            return current;
        }
    }

    /** Whether {@code connection} is the current one and the source has not ended. */
    final boolean isCurrent(C connection) {
        synchronized (lock) {
            return current == connection && !closed;
        }
    }

    /**
     * Makes {@code connection}, which has ended, no longer current.
     *
     * @return false, and nothing changes, when it was not current: superseded, or the source has ended
     */
    final boolean release(C connection) {
        synchronized (lock) {
            if (current != connection || closed) {
                return false;
            }
            current = null;
            return true;
        }
    }

    /**
     * Handles a lost connection or failed attempt, once released: emits {@code disconnected} with
     * {@code reason}, then reconnects after {@link #reconnectDelay(int)} or, at the threshold, fails the source
     * with {@code cause} as the last one.
     */
    final void disconnected(Event<String> disconnected, String reason, Throwable cause) {
        synchronized (lock) {
            if (closed) {
                return;
            }
        }
        log.debug("{} '{}' {}: {}", kind, name(), url, reason);
        if (!emitOrFail(disconnected, reason)) {
            return;
        }
        int count = failures.record(cause);
        if (failures.exhausted(count)) {
            fail(failures.tooMany(kind + " '" + name() + "'", url));
            return;
        }
        Duration delay = reconnectDelay(count);
        RejectedExecutionException rejected = null;
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                reconnect = timers.schedule(this::connect, delay);
            } catch (RejectedExecutionException e) {
                rejected = e;
            }
        }
        if (rejected != null) {
            fail(rejected);
        }
    }

    /** A message was handled: the connection works again, and the failure count starts over. */
    final void resetFailures() {
        failures.reset();
    }

    /**
     * Runs {@code task} on the scheduler after {@code delay}.
     *
     * @throws RejectedExecutionException once the source has ended
     */
    final ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return timers.schedule(task, delay);
    }

    /** Emits {@code payload}; when the handler refuses it (closed, full), fails the source instead. */
    final <T> boolean emitOrFail(Event<T> event, T payload) {
        try {
            emit(event, payload);
            return true;
        } catch (RuntimeException e) {
            fail(e);
            return false;
        }
    }

    private void connect() {
        C connection = newConnection();
        synchronized (lock) {
            reconnect = null;
            if (closed || isDone()) {
                return;
            }
            current = connection;
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

    private void shutDown(boolean normal) {
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
        StreamTimers t = timers;
        if (t != null) {
            t.shutdown();
        }
        client.shutdown();
    }
}
