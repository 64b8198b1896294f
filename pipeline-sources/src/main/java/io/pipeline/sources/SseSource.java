package io.pipeline.sources;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import java.io.EOFException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * A source that follows a Server-Sent Events stream and emits each event as a {@link Message}.
 *
 * <pre>{@code
 * SseSource changes = new SseSource(processorName("changes"), handler,
 *         "https://stream.example.com/changes", SseSource.Options.defaults());
 * changes.on(SseSource.MESSAGE, message -> processor.handle(message.data()));
 * setSource(changes);
 * }</pre>
 *
 * <h2>Reconnecting</h2>
 * okhttp-sse neither reconnects nor resumes; this source does both. When the stream ends or fails it reconnects,
 * sending {@code Last-Event-ID} with the last event id received (from any earlier connection). The delay is the
 * server's {@code retry:} value when it has sent one — exactly that for the first reconnect, doubling for further
 * failures in a row up to the larger of it and {@link Options#reconnectMax()}, without jitter — and otherwise the
 * exponential, jittered {@linkplain Options#withReconnectBackoff backoff}. okhttp-sse does not expose the
 * {@code retry:} field, so the source reads it from the response bytes on their way to okhttp-sse's parser.
 *
 * <p>A stream that ends, a connection that fails or is silent longer than {@link Options#readTimeout()}, a non-2xx
 * response or a response that is not {@code text/event-stream} each count as a failure; a received event resets
 * the count. When {@link Options#exceptionThreshold()} failures happen in a row the source gives up: its future
 * completes exceptionally with an {@link IOException} saying it "disconnected too many times, stopped", naming the
 * redacted URL, with the last cause as its cause.
 *
 * <h2>Events</h2>
 * {@link #CONNECTED} (the redacted URL) when a stream opens; {@link #MESSAGE} for each event, in stream order;
 * {@link #DISCONNECTED} (the reason) each time a stream ends or a connection attempt fails; {@link #ERROR} as well
 * for a non-2xx response or a wrong content type, which usually mean a misconfiguration rather than a network
 * problem. Nothing is emitted by {@link #stop()}.
 *
 * <h2>Threads</h2>
 * Events are read and emitted on OkHttp's dispatcher threads, one connection at a time; the
 * {@link MessageHandler} decides where listeners run. Reconnects run on the scheduler ({@code pipeline-<name>-sse}
 * unless one is injected).
 *
 * <p>Lifecycle: NEW → CONNECTING ⇄ STREAMING → STOPPED (by {@link #stop()}, future completes normally) or FAILED
 * (threshold reached or the handler closed; future completes exceptionally). {@link #start()} may be called once.
 * This class is thread-safe.
 */
public class SseSource extends ReconnectingSource<SseSource.StreamConnection> {
    /** Emitted for each event of the stream. */
    public static final Event<Message> MESSAGE = Event.of("message", Message.class);
    /** Emitted with the redacted URL each time a stream opens. */
    public static final Event<String> CONNECTED = Event.of("connected", String.class);
    /** Emitted with the reason each time a stream ends or a connection attempt fails. */
    public static final Event<String> DISCONNECTED = Event.of("disconnected", String.class);

    /** The event type of events without an {@code event:} field, as the SSE specification defines. */
    public static final String DEFAULT_TYPE = "message";
    /** The request header carrying the last event id on reconnect. */
    public static final String LAST_EVENT_ID = "Last-Event-ID";

    private final Request request;
    private final Options options;
    private final EventSource.Factory factory;
    private final Backoff backoff;
    private final AtomicLong retryMillis; // the server's retry: value, -1 until it sends one
    private volatile String lastEventId;
    private volatile Instant lastEventAt;

    /**
     * One Server-Sent Event.
     *
     * @param id the event's id, or the last id the stream set before it; {@code null} when the stream has set
     *     none on this connection. The source still remembers ids from earlier connections for
     *     {@code Last-Event-ID}.
     * @param type the {@code event:} field, {@value SseSource#DEFAULT_TYPE} when absent; never null
     * @param data the {@code data:} lines joined with {@code \n}; never null
     */
    public record Message(String id, String type, String data) {
        /** @throws NullPointerException if {@code type} or {@code data} is null */
        public Message {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(data, "data");
        }

        /** Whether the event carries an id. */
        public boolean hasId() {
            return id != null;
        }
    }

    /**
     * Creates a source that will follow {@code url} ({@code http://} or {@code https://}) when started.
     *
     * @throws IllegalArgumentException if {@code url} is not a valid HTTP URL
     */
    public SseSource(String name, MessageHandler handler, String url, Options options) {
        this(name, handler, streamRequest(url, options), options, new AtomicLong(-1));
    }

    // The retry: scanner reports into retryMillis from inside the client, which the superclass needs built.
    private SseSource(String name, MessageHandler handler, Request request, Options options, AtomicLong retryMillis) {
        super(name, handler, SseSource.class, "sse", Urls.redact(request.url()),
                StreamClient.derive(options.client(), builder -> builder
                        .readTimeout(options.readTimeout())
                        .addInterceptor(SseRetryScanner.interceptor(retryMillis::set))),
                options.exceptionThreshold(), options.scheduler());
        this.request = request;
        this.options = options;
        this.retryMillis = retryMillis;
        this.factory = EventSources.createFactory(client());
        this.backoff = Backoff.jittered(options.reconnectInitial(), options.reconnectMax());
    }

    /** The URL followed, with credentials and secret-looking query parameters redacted. */
    public final String url() {
        return redactedUrl();
    }

    /** The options this source was created with. */
    public final Options options() {
        return options;
    }

    /** The last event id received, sent as {@code Last-Event-ID} on reconnect. */
    public final Optional<String> lastEventId() {
        return Optional.ofNullable(lastEventId);
    }

    /** The reconnection time the server set with {@code retry:}, if it has. */
    public final Optional<Duration> serverRetry() {
        long millis = retryMillis.get();
        return millis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
    }

    /** Cancels the stream and any pending reconnect and completes the future normally. Idempotent. */
    @Override
    public void stop() {
        super.stop();
    }

    /** The delay before reconnect number {@code failures} in a row. */
    @Override
    final Duration reconnectDelay(int failuresInARow) {
        long retry = retryMillis.get();
        if (retry < 0) {
            return backoff.delay(failuresInARow, options.random());
        }
        Duration server = Duration.ofMillis(retry);
        Duration max = server.compareTo(options.reconnectMax()) > 0 ? server : options.reconnectMax();
        return new Backoff(server, max, 0).delay(failuresInARow, options.random());
    }

    @Override
    final StreamConnection newConnection() {
        return new StreamConnection();
    }

    private static Request streamRequest(String url, Options options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        return new Request.Builder().url(url).headers(options.headers()).build();
    }

    private String sinceLastEvent() {
        Instant at = lastEventAt;
        return at == null ? "no event received yet"
                : "last event " + Duration.between(at, options.clock().instant()).toMillis() + " ms ago";
    }

    /** One connection; callbacks of a connection that is no longer current are ignored. */
    final class StreamConnection extends EventSourceListener implements ReconnectingSource.Connection {
        final AtomicBoolean ended = new AtomicBoolean();
        volatile EventSource eventSource;

        @Override
        public void open() {
            String id = lastEventId;
            Request next = id == null ? request : request.newBuilder().header(LAST_EVENT_ID, id).build();
            eventSource = factory.newEventSource(next, this);
        }

        @Override
        public void abandon() {
            eventSource.cancel();
        }

        @Override
        public void close(boolean normal) {
            ended.set(true);
            EventSource s = eventSource;
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public void onOpen(EventSource source, Response response) {
            if (!isCurrent(this) || ended.get()) {
                source.cancel();
                return;
            }
            emitOrFail(CONNECTED, url());
        }

        @Override
        public void onEvent(EventSource source, String id, String type, String data) {
            if (ended.get() || isDone()) {
                return;
            }
            if (id != null) {
                lastEventId = id;
            }
            lastEventAt = options.clock().instant();
            if (emitOrFail(MESSAGE, new Message(id, type == null ? DEFAULT_TYPE : type, data))) {
                resetFailures();
            }
        }

        @Override
        public void onClosed(EventSource source) {
            String why = "stream ended by server (" + sinceLastEvent() + ")";
            lost(why, new EOFException(why + ": " + url()), false);
        }

        @Override
        public void onFailure(EventSource source, Throwable t, Response response) {
            if (response != null && !response.isSuccessful()) {
                String why = "HTTP " + response.code() + (response.message().isEmpty() ? "" : " " + response.message());
                lost(why, new IOException(why + " from " + url()), true);
            } else if (t == null || t instanceof IllegalStateException) {
                // okhttp-sse reports a response that is not text/event-stream as IllegalStateException.
                String why = t == null ? "failed" : t.getMessage();
                lost(why, new IOException(why + " from " + url(), t), true);
            } else {
                lost("connection lost: " + t + " (" + sinceLastEvent() + ")", t, false);
            }
        }

        private void lost(String reason, Throwable cause, boolean error) {
            if (!ended.compareAndSet(false, true) || !release(this)) {
                return;
            }
            if (error && !emitOrFail(ERROR, cause)) {
                return;
            }
            disconnected(DISCONNECTED, reason, cause);
        }
    }

    /**
     * How an {@link SseSource} connects and reconnects. Start from {@link #defaults()} and change values with the
     * {@code with…} methods, which return a copy. Instances are immutable and safe for concurrent use.
     */
    public static final class Options {
        private final StreamSettings common;
        private final Duration readTimeout;

        private Options(StreamSettings common, Duration readTimeout) {
            this.common = common;
            this.readTimeout = readTimeout;
        }

        /**
         * Give up after 10 failures in a row, reconnect backoff 1 s doubling up to 30 s with ±20 % jitter, no
         * extra headers, an OkHttp client of the source's own, a 60 s read timeout, the system UTC clock and a
         * scheduler thread of the source's own.
         */
        public static Options defaults() {
            return new Options(StreamSettings.defaults(), Duration.ofSeconds(60));
        }

        /** How many failures in a row, without an event received, stop the source. */
        public Options withExceptionThreshold(int threshold) {
            return with(common.withExceptionThreshold(threshold));
        }

        /**
         * The delay before the first reconnect, doubling with each further failure in a row up to {@code max};
         * each delay is jittered by ±20 %. A {@code retry:} from the server takes precedence.
         *
         * @throws IllegalArgumentException if {@code initial} is negative or {@code max} is less than it
         */
        public Options withReconnectBackoff(Duration initial, Duration max) {
            return with(common.withReconnectBackoff(initial, max));
        }

        /** Sends header {@code name: value} with every request, replacing an earlier value of that name. */
        public Options withHeader(String name, String value) {
            return with(common.withHeader(name, value));
        }

        /**
         * Connects with a client derived from {@code client} (sharing its connection pool and dispatcher, with
         * this read timeout). The source never shuts a caller's client down; a client it creates itself is shut
         * down when the source ends.
         */
        public Options withClient(OkHttpClient client) {
            return with(common.withClient(client));
        }

        /**
         * The longest silence tolerated on an open stream before it counts as lost — the server's heartbeat
         * (comment lines count) must come more often. {@link Duration#ZERO} waits forever.
         */
        public Options withReadTimeout(Duration timeout) {
            return new Options(common, Checks.nonNegative(Objects.requireNonNull(timeout, "timeout"), "readTimeout"));
        }

        /** The clock used to tell, in disconnect reasons, how long ago the last event arrived. */
        public Options withClock(Clock clock) {
            return with(common.withClock(clock));
        }

        /** Runs reconnects on {@code scheduler}, which the source does not shut down. */
        public Options withScheduler(ScheduledExecutorService scheduler) {
            return with(common.withScheduler(scheduler));
        }

        /** The jitter source of the reconnect backoff; it may be called from OkHttp threads. */
        public Options withRandom(RandomGenerator random) {
            return with(common.withRandom(random));
        }

        /** Failures in a row that stop the source. */
        public int exceptionThreshold() {
            return common.exceptionThreshold();
        }

        /** The delay before the first reconnect (before jitter). */
        public Duration reconnectInitial() {
            return common.reconnectInitial();
        }

        /** The longest delay between reconnects (before jitter). */
        public Duration reconnectMax() {
            return common.reconnectMax();
        }

        /** Extra headers sent with every request. */
        public Headers headers() {
            return common.headers();
        }

        /** The caller's OkHttp client, if one was given. */
        public Optional<OkHttpClient> client() {
            return common.client();
        }

        /** The longest silence tolerated on an open stream; zero for none. */
        public Duration readTimeout() {
            return readTimeout;
        }

        /** The clock. */
        public Clock clock() {
            return common.clock();
        }

        /** The caller's scheduler, if one was given. */
        public Optional<ScheduledExecutorService> scheduler() {
            return common.scheduler();
        }

        /** The jitter source. */
        public RandomGenerator random() {
            return common.random();
        }

        private Options with(StreamSettings changed) {
            return new Options(changed, readTimeout);
        }
    }
}
