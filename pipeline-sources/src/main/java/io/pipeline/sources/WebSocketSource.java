package io.pipeline.sources;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import okio.Utf8;

/**
 * A source that keeps a WebSocket connection open and emits every JSON message it receives — aiopype's
 * {@code WebsocketSource}.
 *
 * <pre>{@code
 * final class Ticker extends WebSocketSource {
 *     Ticker(String name, MessageHandler handler) {
 *         super(name, handler, "wss://feed.example.com/ws", WebSocketSource.Options.defaults());
 *     }
 *
 *     @Override
 *     protected void onConnect(WebSocket socket) {
 *         socket.send("{\"subscribe\":\"AAPL\"}");   // sent again after every reconnect
 *     }
 * }
 * // in a Manager: ticker.on(WebSocketSource.MESSAGE, processor::handle);
 * }</pre>
 *
 * <h2>Events</h2>
 * {@link #CONNECTED} (the redacted URL) each time a connection opens; {@link #MESSAGE} for each text or binary
 * message, parsed as JSON, in the order received; {@link #DISCONNECTED} (the reason) each time a connection is
 * lost <em>or a connection attempt fails</em>, so it is not always preceded by {@code CONNECTED};
 * {@link #ERROR} for a message that is too large, is not JSON, or whose handling failed — the connection stays up.
 * Nothing is emitted by {@link #stop()}.
 *
 * <h2>Connection supervision</h2>
 * <ul>
 *   <li>OkHttp pings the server every {@link Options#pingInterval()} and fails the connection when a pong is
 *       missing.</li>
 *   <li>A watchdog on the scheduler treats {@link Options#heartbeatTimeout()} without a message as a lost
 *       connection and cancels the socket. OkHttp does not report ping and pong frames to listeners, so only
 *       text and binary messages count as signs of life: for feeds that are quiet for longer, raise the timeout
 *       or disable it with {@link Duration#ZERO}.</li>
 *   <li>After a lost connection the source reconnects after an exponential, jittered backoff. When
 *       {@link Options#exceptionThreshold()} connections in a row fail or are lost without one message handled
 *       in between, the source gives up: its future completes exceptionally with an {@link IOException} saying
 *       it "disconnected too many times, stopped", naming the redacted URL, with the last cause as its cause.
 *       A successfully handled message resets the count.</li>
 * </ul>
 *
 * <h2>Limits</h2>
 * A message larger than {@link Options#maxFrameBytes()} (UTF-8 bytes for text) is refused with an {@code ERROR}
 * and not parsed. OkHttp has no frame size limit of its own: the oversized message has already been read into
 * memory when the check runs, so the cap protects the parser and the pipeline, not the socket. The default
 * {@link ObjectMapper} also bounds nesting depth, number length and string length.
 *
 * <h2>Threads</h2>
 * Every event is emitted from OkHttp's threads, which also call {@link #onConnect}, {@link #onText} and
 * {@link #parse} — one connection at a time, never concurrently; the {@link MessageHandler} then decides where
 * listeners run (on that thread with a {@code SyncDispatcher}, which then holds up reading; on the dispatcher's
 * loop with an {@code AsyncDispatcher}). Reconnects and the heartbeat watchdog run on the scheduler
 * ({@code pipeline-<name>-websocket} unless one is injected); the watchdog only cancels the socket, and OkHttp's
 * reader thread then reports the loss after any message it is delivering, so a connection's events stay in order.
 *
 * <p>Lifecycle: NEW → CONNECTING ⇄ CONNECTED → STOPPED (by {@link #stop()}, future completes normally) or FAILED
 * (threshold reached or the handler closed; future completes exceptionally). {@link #start()} may be called once.
 * This class is thread-safe.
 */
public class WebSocketSource extends ReconnectingSource<WebSocketSource.SocketConnection> {
    /** Emitted with the redacted URL each time a connection opens. */
    public static final Event<String> CONNECTED = Event.of("connected", String.class);
    /** Emitted with each message received, parsed as JSON. */
    public static final Event<JsonNode> MESSAGE = Event.of("message", JsonNode.class);
    /** Emitted with the reason each time a connection is lost or a connection attempt fails. */
    public static final Event<String> DISCONNECTED = Event.of("disconnected", String.class);

    private static final int NORMAL_CLOSURE = 1000;
    private static final int INTERNAL_ERROR = 1011;

    private final Request request;
    private final Options options;
    private final ObjectReader reader;
    private final Backoff backoff;

    /**
     * Creates a source that will connect to {@code url} ({@code ws://}, {@code wss://}, {@code http://} or
     * {@code https://}) when started.
     *
     * @throws IllegalArgumentException if {@code url} is not a valid WebSocket or HTTP URL
     */
    public WebSocketSource(String name, MessageHandler handler, String url, Options options) {
        this(name, handler, url, options, upgradeRequest(url, options));
    }

    // The request is built before the superclass, which needs the URL as OkHttp parsed it, redacted.
    private WebSocketSource(String name, MessageHandler handler, String url, Options options, Request request) {
        super(name, handler, WebSocketSource.class, "websocket", redact(url, request),
                StreamClient.derive(options.client(), builder -> builder.pingInterval(options.pingInterval())),
                options.exceptionThreshold(), options.scheduler());
        this.request = request;
        this.options = options;
        ObjectMapper mapper = options.objectMapper().orElseGet(() -> boundedMapper(options.maxFrameBytes()));
        this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.backoff = Backoff.jittered(options.reconnectInitial(), options.reconnectMax());
    }

    /** The URL connected to, with credentials and secret-looking query parameters redacted. */
    public final String url() {
        return redactedUrl();
    }

    /** The options this source was created with. */
    public final Options options() {
        return options;
    }

    /**
     * Closes the socket with code 1000, cancels the reconnect and watchdog timers and completes the future
     * normally; no reconnect follows. Idempotent.
     */
    @Override
    public void stop() {
        super.stop();
    }

    /**
     * Sends {@code text} on the open connection.
     *
     * @return false when not connected (or the message could not be queued); the message is then not sent
     */
    public boolean send(String text) {
        Objects.requireNonNull(text, "text");
        SocketConnection connection = current();
        WebSocket socket = connection == null ? null : connection.socket;
        return socket != null && connection.opened && !connection.ended.get() && socket.send(text);
    }

    /**
     * Called on each (re)connect, after {@link #CONNECTED} is emitted and before any message is handled: send
     * subscription messages here. Runs on an OkHttp thread; a thrown exception is emitted as {@link #ERROR}.
     */
    protected void onConnect(WebSocket socket) {}

    /**
     * Handles one message: by default emits {@link #MESSAGE} with {@link #parse parse(text)}. Override for
     * non-JSON formats. Binary messages arrive here decoded as UTF-8 (malformed sequences become U+FFFD).
     * A {@link JsonProcessingException} is emitted as {@link #ERROR} as malformed input, any other exception as a
     * handling failure; the connection stays up either way. Returning normally resets the failure count.
     */
    protected void onText(String text) throws Exception {
        emit(MESSAGE, parse(text));
    }

    /**
     * Parses one message as a single JSON value; trailing content and empty messages are malformed. The default
     * mapper limits nesting depth to 200, numbers to 1000 digits and strings and the document to
     * {@link Options#maxFrameBytes()}; a mapper from {@link Options#withObjectMapper} keeps its own limits.
     */
    protected JsonNode parse(String text) throws IOException {
        JsonNode node = reader.readTree(text);
        if (node == null || node.isMissingNode()) {
            throw new JsonParseException((JsonParser) null, "empty message: no JSON value");
        }
        return node;
    }

    @Override
    final SocketConnection newConnection() {
        return new SocketConnection();
    }

    @Override
    final Duration reconnectDelay(int failuresInARow) {
        return backoff.delay(failuresInARow, options.random());
    }

    static ObjectMapper boundedMapper(long maxFrameBytes) {
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(200)
                .maxNumberLength(1000)
                .maxStringLength((int) Math.min(maxFrameBytes, Integer.MAX_VALUE))
                .maxDocumentLength(maxFrameBytes)
                .build();
        return JsonMappers.bounded(constraints);
    }

    /** Redacts {@code url}, keeping its ws/wss scheme (OkHttp's {@code HttpUrl} only knows http and https). */
    static String redact(String url, Request request) {
        String redacted = Urls.redact(request.url());
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("ws:")) {
            return "ws" + redacted.substring("http".length());
        }
        if (lower.startsWith("wss:")) {
            return "wss" + redacted.substring("https".length());
        }
        return redacted;
    }

    private static Request upgradeRequest(String url, Options options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        return new Request.Builder().url(url).headers(options.headers()).build();
    }

    private void receive(String text) {
        try {
            onText(text);
        } catch (JsonProcessingException e) {
            emitError(new IOException("malformed JSON message (" + text.length() + " chars) from " + url() + ": "
                    + e.getOriginalMessage(), e));
            return;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            emitError(new IOException("failed to handle message from " + url() + ": " + e, e));
            return;
        }
        resetFailures();
    }

    private void refuse(long size, String unit) {
        emitError(new IOException("WebSocket message of " + size + " " + unit + " exceeds maxFrameBytes "
                + options.maxFrameBytes() + " (" + url() + "); dropped without parsing"));
    }

    private void emitError(Throwable error) {
        try {
            emit(ERROR, error);
        } catch (RuntimeException e) {
            e.addSuppressed(error);
            fail(e);
        }
    }

    /** One connection attempt; callbacks of a connection that is no longer current are ignored. */
    final class SocketConnection extends WebSocketListener implements ReconnectingSource.Connection {
        final AtomicBoolean ended = new AtomicBoolean();
        volatile WebSocket socket;
        volatile boolean opened;
        private volatile long lastMessageMillis;
        private volatile ScheduledFuture<?> watchdog;
        private volatile String heartbeatLost;

        @Override
        public void open() {
            socket = client().newWebSocket(request, this);
        }

        @Override
        public void abandon() {
            socket.cancel();
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            if (!isCurrent(this) || ended.get()) {
                webSocket.close(NORMAL_CLOSURE, "source stopped");
                return;
            }
            socket = webSocket;
            opened = true;
            lastMessageMillis = options.clock().millis();
            armWatchdog(options.heartbeatTimeout());
            if (!emitOrFail(CONNECTED, url())) {
                return;
            }
            try {
                onConnect(webSocket);
            } catch (RuntimeException e) {
                emitError(new IOException("onConnect failed for " + url() + ": " + e, e));
            }
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            if (ended.get() || isDone()) {
                return;
            }
            lastMessageMillis = options.clock().millis();
            long cap = options.maxFrameBytes();
            // A UTF-8 byte count is at most 3 per char: count exactly only when that bound exceeds the cap.
            long size = text.length() * 3L <= cap ? text.length() : Utf8.size(text);
            if (size > cap) {
                refuse(size, "bytes");
                return;
            }
            receive(text);
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            if (ended.get() || isDone()) {
                return;
            }
            lastMessageMillis = options.clock().millis();
            if (bytes.size() > options.maxFrameBytes()) {
                refuse(bytes.size(), "bytes");
                return;
            }
            receive(bytes.utf8());
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(NORMAL_CLOSURE, null);
            String why = "closed by server: code " + code + (reason.isEmpty() ? "" : ", reason '" + reason + "'");
            lost(why, new IOException(why + " (" + url() + ")"));
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            String why = "closed: code " + code + (reason.isEmpty() ? "" : ", reason '" + reason + "'");
            lost(why, new IOException(why + " (" + url() + ")"));
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            String silence = heartbeatLost;
            if (silence != null) {
                lost(silence, new SocketTimeoutException(silence + " (" + url() + ")"));
            } else {
                lost((opened ? "connection lost: " : "connect failed: ") + t, t);
            }
        }

        private void lost(String reason, Throwable cause) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            cancelWatchdog();
            if (release(this)) {
                disconnected(DISCONNECTED, reason, cause);
            }
        }

        private void armWatchdog(Duration delay) {
            if (options.heartbeatTimeout().isZero() || ended.get()) {
                return;
            }
            try {
                watchdog = schedule(this::checkSilence, delay);
            } catch (RejectedExecutionException e) {
                if (!isDone()) {
                    fail(e);
                }
            }
        }

        private void checkSilence() {
            if (ended.get() || isDone()) {
                return;
            }
            long timeout = options.heartbeatTimeout().toMillis();
            long silent = options.clock().millis() - lastMessageMillis;
            if (silent < timeout) {
                armWatchdog(Duration.ofMillis(timeout - silent));
                return;
            }
            // Cancelling makes OkHttp's reader thread report the failure, after any message it is delivering:
            // events of one connection are all emitted from that thread, in order.
            heartbeatLost = "no message for " + silent + " ms (heartbeatTimeout " + timeout + " ms)";
            socket.cancel();
        }

        private void cancelWatchdog() {
            ScheduledFuture<?> pending = watchdog;
            if (pending != null) {
                pending.cancel(false);
            }
        }

        @Override
        public void close(boolean normal) {
            ended.set(true);
            cancelWatchdog();
            WebSocket s = socket;
            if (s == null) {
                return;
            }
            if (!opened) {
                s.cancel();
            } else if (normal) {
                s.close(NORMAL_CLOSURE, "source stopped");
            } else {
                s.close(INTERNAL_ERROR, "source failed");
            }
        }
    }

    /**
     * How a {@link WebSocketSource} connects, supervises and parses. Start from {@link #defaults()} and change
     * values with the {@code with…} methods, which return a copy. Instances are immutable and safe for
     * concurrent use.
     */
    public static final class Options {
        private final StreamSettings common;
        private final Duration pingInterval;
        private final Duration heartbeatTimeout;
        private final long maxFrameBytes;
        private final ObjectMapper objectMapper;

        private Options(StreamSettings common, Duration pingInterval, Duration heartbeatTimeout, long maxFrameBytes,
                        ObjectMapper objectMapper) {
            this.common = common;
            this.pingInterval = pingInterval;
            this.heartbeatTimeout = heartbeatTimeout;
            this.maxFrameBytes = maxFrameBytes;
            this.objectMapper = objectMapper;
        }

        /**
         * Ping every 10 s, heartbeat timeout 30 s, give up after 10 failures in a row, 1 MiB message cap,
         * reconnect backoff 1 s doubling up to 30 s with ±20 % jitter, no extra headers, an OkHttp client, a
         * bounded Jackson mapper and a scheduler thread of the source's own, the system UTC clock.
         */
        public static Options defaults() {
            return new Options(StreamSettings.defaults(), Duration.ofSeconds(10), Duration.ofSeconds(30),
                    1024 * 1024, null);
        }

        /** OkHttp's ping interval; a missing pong fails the connection. {@link Duration#ZERO} disables pings. */
        public Options withPingInterval(Duration interval) {
            return new Options(common, Checks.nonNegative(interval, "pingInterval"), heartbeatTimeout, maxFrameBytes,
                    objectMapper);
        }

        /**
         * How long without a message before the connection counts as lost (millisecond precision).
         * {@link Duration#ZERO} disables the watchdog.
         */
        public Options withHeartbeatTimeout(Duration timeout) {
            return new Options(common, pingInterval, Checks.nonNegative(timeout, "heartbeatTimeout"), maxFrameBytes,
                    objectMapper);
        }

        /** How many failed connections or disconnects in a row, without a handled message, stop the source. */
        public Options withExceptionThreshold(int threshold) {
            return with(common.withExceptionThreshold(threshold));
        }

        /** The largest message accepted, in bytes (UTF-8 bytes for text messages). */
        public Options withMaxFrameBytes(long bytes) {
            return new Options(common, pingInterval, heartbeatTimeout, Checks.positive(bytes, "maxFrameBytes"),
                    objectMapper);
        }

        /**
         * The delay before the first reconnect, doubling with each further failure in a row up to {@code max};
         * each delay is jittered by ±20 %.
         *
         * @throws IllegalArgumentException if {@code initial} is negative or {@code max} is less than it
         */
        public Options withReconnectBackoff(Duration initial, Duration max) {
            return with(common.withReconnectBackoff(initial, max));
        }

        /** Sends header {@code name: value} with the upgrade request, replacing an earlier value of that name. */
        public Options withHeader(String name, String value) {
            return with(common.withHeader(name, value));
        }

        /**
         * Connects with a client derived from {@code client} (sharing its connection pool and dispatcher, with
         * this ping interval). The source never shuts a caller's client down; a client it creates itself is shut
         * down when the source ends.
         */
        public Options withClient(OkHttpClient client) {
            return with(common.withClient(client));
        }

        /** Parses messages with {@code mapper}, and its own stream-read constraints. */
        public Options withObjectMapper(ObjectMapper mapper) {
            return new Options(common, pingInterval, heartbeatTimeout, maxFrameBytes,
                    Objects.requireNonNull(mapper, "mapper"));
        }

        /** The clock the heartbeat watchdog measures silence with. */
        public Options withClock(Clock clock) {
            return with(common.withClock(clock));
        }

        /** Runs reconnects and the watchdog on {@code scheduler}, which the source does not shut down. */
        public Options withScheduler(ScheduledExecutorService scheduler) {
            return with(common.withScheduler(scheduler));
        }

        /** The jitter source of the reconnect backoff; it may be called from OkHttp threads. */
        public Options withRandom(RandomGenerator random) {
            return with(common.withRandom(random));
        }

        /** OkHttp's ping interval; zero when pings are disabled. */
        public Duration pingInterval() {
            return pingInterval;
        }

        /** The silence after which a connection counts as lost; zero when the watchdog is disabled. */
        public Duration heartbeatTimeout() {
            return heartbeatTimeout;
        }

        /** Failures in a row that stop the source. */
        public int exceptionThreshold() {
            return common.exceptionThreshold();
        }

        /** The largest message accepted, in bytes. */
        public long maxFrameBytes() {
            return maxFrameBytes;
        }

        /** The delay before the first reconnect (before jitter). */
        public Duration reconnectInitial() {
            return common.reconnectInitial();
        }

        /** The longest delay between reconnects (before jitter). */
        public Duration reconnectMax() {
            return common.reconnectMax();
        }

        /** Extra headers sent with the upgrade request. */
        public Headers headers() {
            return common.headers();
        }

        /** The caller's OkHttp client, if one was given. */
        public Optional<OkHttpClient> client() {
            return common.client();
        }

        /** The caller's object mapper, if one was given. */
        public Optional<ObjectMapper> objectMapper() {
            return Optional.ofNullable(objectMapper);
        }

        /** The clock of the heartbeat watchdog. */
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
            return new Options(changed, pingInterval, heartbeatTimeout, maxFrameBytes, objectMapper);
        }
    }
}
