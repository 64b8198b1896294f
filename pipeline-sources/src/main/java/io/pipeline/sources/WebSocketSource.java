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
import io.pipeline.core.RecoveredFailure;
import io.pipeline.core.Source;
import io.pipeline.core.SourceMetrics;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * message, parsed as JSON, in the order received; {@link #ERROR} and then {@link #DISCONNECTED} (the reason) each
 * time a connection is lost <em>or a connection attempt fails</em>, so it is not always preceded by
 * {@code CONNECTED}. A message that is too large or is not JSON is an {@code ERROR} too, and the connection stays
 * up. Nothing is emitted by {@link #stop()}.
 *
 * <h2>Reading and delivering: a slow consumer is not a dead server</h2>
 * OkHttp's reader thread only reads: it hands each message to the source's inbox and goes on reading, so pongs
 * and close frames are read even while a listener is slow. A delivery thread of the source's own
 * ({@code pipeline-<name>-websocket-delivery}) emits everything, in order. The inbox holds up to
 * {@link Options#receiveBufferBytes()} of messages; when it is full the reader waits (back-pressure onto TCP).
 * So with a slow consumer — a full {@code AsyncDispatcher} queue under {@code BLOCK}, or a listener that takes
 * longer than the heartbeat timeout under a {@code SyncDispatcher} — no message is lost and the connection is
 * not dropped: the heartbeat watchdog is suspended while delivery is busy. Only a consumer that falls behind by
 * more than the whole inbox for longer than the {@linkplain Options#pingInterval() ping interval} lets OkHttp's
 * missing-pong check drop the connection.
 *
 * <h2>Connection supervision</h2>
 * <ul>
 *   <li>OkHttp pings the server every {@link Options#pingInterval()} and fails the connection when a pong is
 *       missing.</li>
 *   <li>A watchdog on the scheduler treats {@link Options#heartbeatTimeout()} without a message, while delivery
 *       is idle, as a lost connection and cancels the socket; if OkHttp's reader does not report the loss within
 *       a second (its thread may have died), the watchdog reports it. OkHttp does not report ping and pong
 *       frames, so only text and binary messages count as signs of life: for feeds that are quiet for longer,
 *       raise the timeout or disable it with {@link Duration#ZERO}.</li>
 *   <li>Each lost connection or failed attempt is logged as one line at WARN (stack trace at DEBUG), counted, and
 *       emitted as {@code ERROR} with a {@link RecoveredFailure} — which never fails the manager, listened to or
 *       not — and the source reconnects after an exponential, jittered backoff. The count starts over once a
 *       connection has opened and a message on it has been handled. When
 *       {@link Options#exceptionThreshold()} failures happen in a row the source gives up: its future completes
 *       exceptionally with an {@link IOException} saying it "disconnected too many times, stopped", naming the
 *       redacted URL, with the last cause as its cause, and a {@code Flow} restarts the manager.</li>
 *   <li>{@link #stop()} sends a close frame and, when the server does not answer within
 *       {@link Options#closeTimeout()}, cancels the socket: every thread the source started has ended shortly
 *       after.</li>
 * </ul>
 *
 * <h2>Limits and memory</h2>
 * A message larger than {@link Options#maxFrameBytes()} (UTF-8 bytes for text) is refused with an {@code ERROR}
 * and not parsed; the connection stays up. The cap protects the parser and the pipeline, <em>not the heap</em>:
 * OkHttp has no frame size limit of its own and reads a whole message (all its frames, inflated) into memory
 * before the source sees it, so a message over the cap still costs, for a moment, about three times its size in
 * heap (OkHttp's buffer, its bytes, the decoded string). Measured with a 64 MiB text frame against a 1 MiB cap
 * ({@code WebSocketHugeFrameTest}, {@code HugeFrameProbe}):
 * <ul>
 *   <li>{@code -Xmx256m} (and {@code 192m}): refused with an {@code ERROR}, the next message on the same
 *       connection delivered;</li>
 *   <li>{@code -Xmx128m}: OkHttp's reader thread dies of an {@link OutOfMemoryError}, which OkHttp does not
 *       report; the heartbeat watchdog reports the connection lost after {@link Options#heartbeatTimeout()} and the
 *       source reconnects ({@link Options#withHeartbeatTimeout ZERO} disables that, and the source then waits
 *       forever);</li>
 *   <li>{@code -Xmx64m} (a message as large as the heap, or a server that never ends its frame): the partial
 *       message stays reachable and fills the heap, so every thread of the JVM — the source's scheduler, OkHttp's,
 *       the application's — fails to allocate. Nothing in the process recovers from that; run such a JVM with
 *       {@code -XX:+ExitOnOutOfMemoryError} under a supervisor that restarts it.</li>
 * </ul>
 * So against a server you do not trust, leave the heap room for about three of its largest messages, or put a
 * proxy that limits message sizes in front of it. The inbox holds at most {@link Options#receiveBufferBytes()}
 * plus one message. The default {@link ObjectMapper} also bounds nesting depth, number length and string length.
 *
 * <h2>Metrics and logs</h2>
 * The source counts {@link #CONNECTS}, {@link #RECONNECTS}, {@link #MESSAGES} and {@link #BYTES}, reported in
 * {@code Flow.metrics()}. With {@link Options#withExpectedInterval} a flow's stall watchdog finds it stalled when no
 * message arrives for a multiple of that interval (a connected but silent stream). While it logs a lost connection
 * (and emits it) or a connect, SLF4J's MDC holds {@code pipeline.flow}, {@code pipeline.manager} and
 * {@code pipeline.processor}.
 *
 * <h2>Threads</h2>
 * Every event is emitted, and {@link #onConnect}, {@link #onText} and {@link #parse} are called, on the delivery
 * thread, one at a time and in order; the {@link MessageHandler} then decides where listeners run (on that thread
 * with a {@code SyncDispatcher}; on the dispatcher's loop with an {@code AsyncDispatcher}). Reconnects and the
 * heartbeat watchdog run on the scheduler ({@code pipeline-<name>-websocket} unless one is injected); the reader
 * on the source's client's dispatcher threads. The source's client has a dispatcher of its own (see
 * {@link Options#withClient}), so long-lived sockets never wait in OkHttp's per-host queue.
 *
 * <p>Lifecycle: NEW → CONNECTING ⇄ CONNECTED → STOPPED (by {@link #stop()}, future completes normally) or FAILED
 * (threshold reached or the handler closed; future completes exceptionally). {@link #start()} may be called once.
 * Subclasses may override {@link #onConnect}, {@link #onText}, {@link #parse} and the stall watchdog's
 * {@link #expectedInterval()} and {@link #restartWhenStalled()}; everything else is final. This
 * class is thread-safe.
 */
public class WebSocketSource extends Source {
    /** Emitted with the redacted URL each time a connection opens. */
    public static final Event<String> CONNECTED = Event.of("connected", String.class);
    /** Emitted with each message received, parsed as JSON. */
    public static final Event<JsonNode> MESSAGE = Event.of("message", JsonNode.class);
    /** Emitted with the reason each time a connection is lost or a connection attempt fails. */
    public static final Event<String> DISCONNECTED = Event.of("disconnected", String.class);

    /** {@link SourceMetrics#counter(String) Counter} of connections opened: one per {@link #CONNECTED}. */
    public static final String CONNECTS = "connects";
    /** Counter of connection attempts after a lost connection or a failed attempt (the first connect is not one). */
    public static final String RECONNECTS = "reconnects";
    /** Counter of messages received, text or binary (including those refused as too large). */
    public static final String MESSAGES = "messages";
    /** Counter of bytes received in messages: UTF-8 bytes of a text message, the size of a binary one. */
    public static final String BYTES = "bytes";

    private static final int NORMAL_CLOSURE = 1000;
    private static final int INTERNAL_ERROR = 1011;
    private static final Duration LOSS_REPORT_GRACE = Duration.ofSeconds(1);

    private final Request request;
    private final Options options;
    private final ObjectReader reader;
    private final ReconnectLoop<SocketConnection> loop;
    private final Inbox inbox;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Thread delivery;

    /**
     * Creates a source that will connect to {@code url} ({@code ws://}, {@code wss://}, {@code http://} or
     * {@code https://}) when started.
     *
     * @throws IllegalArgumentException if {@code url} is not a valid WebSocket or HTTP URL
     */
    public WebSocketSource(String name, MessageHandler handler, String url, Options options) {
        super(name, handler);
        Objects.requireNonNull(url, "url");
        this.options = Objects.requireNonNull(options, "options");
        this.request = new Request.Builder().url(url).headers(options.headers()).build();
        ObjectMapper mapper = options.objectMapper != null ? options.objectMapper
                : boundedMapper(options.maxFrameBytes());
        this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.inbox = new Inbox(options.receiveBufferBytes(), options.clock());
        String threadName = "pipeline-" + name + "-websocket";
        StreamClient client = StreamClient.derive(options.common.client(), threadName + "-reader",
                builder -> builder.pingInterval(Durations.forOkHttp(options.pingInterval()))
                        .webSocketCloseTimeout(Durations.forOkHttp(options.closeTimeout())));
        this.loop = new ReconnectLoop<>(this, newCounters(), WebSocketSource.class, this::fail, redact(url, request),
                client,
                options.exceptionThreshold(), options.common.scheduler(), threadName, SocketConnection::new,
                attempt -> options.common.backoff().delay(attempt, options.random()), DISCONNECTED);
    }

    /** The {@link Options#withExpectedInterval expected interval} for the flow's stall watchdog; empty by default. */
    @Override
    public Optional<Duration> expectedInterval() {
        return options.expectedInterval();
    }

    /** Whether the flow restarts this source when it stalls ({@link Options#withRestartWhenStalled}). */
    @Override
    public boolean restartWhenStalled() {
        return options.restartWhenStalled();
    }

    /** This source's counters ({@link #CONNECTS}, {@link #RECONNECTS}, {@link #MESSAGES}, {@link #BYTES}). */
    private StreamCounters newCounters() {
        return new StreamCounters(counter(CONNECTS), counter(RECONNECTS), counter(MESSAGES), counter(BYTES));
    }

    /** The URL connected to, with credentials and secret-looking query parameters redacted. */
    public final String url() {
        return loop.url();
    }

    /** The options this source was created with. */
    public final Options options() {
        return options;
    }

    /** The failures in a row since a connection last opened and delivered a message. */
    public final int consecutiveFailures() {
        return loop.consecutiveFailures();
    }

    /** Whether this source's run has finished, normally or not. Final: see the package's rule for subclasses. */
    @Override
    public final boolean isDone() {
        return super.isDone();
    }

    /** Removes every listener of every event of this source. Final: see the package's rule for subclasses. */
    @Override
    public final void removeAllListeners() {
        super.removeAllListeners();
    }

    /** The source's name and kind, as for every processor. Final: see the package's rule for subclasses. */
    @Override
    public final String toString() {
        return super.toString();
    }

    /**
     * Connects, and keeps reconnecting until {@link #stop()} or too many failures. Returns at once.
     *
     * @throws IllegalStateException if already started
     */
    @Override
    public final CompletableFuture<Void> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("WebSocketSource '" + name() + "' already started");
        }
        Thread thread = new Thread(this::deliverAll, "pipeline-" + name() + "-websocket-delivery");
        thread.setDaemon(true);
        delivery = thread;
        completion().whenComplete((ignored, failure) -> {
            inbox.close();
            loop.shutDown(failure == null);
        });
        thread.start();
        loop.start();
        return completion();
    }

    /**
     * Closes the socket with code 1000 (cancelling it after {@link Options#closeTimeout()} without an answer),
     * cancels the reconnect and watchdog timers and completes the future normally; no reconnect follows; no
     * emission begins after it returns. The future completes at once or, when a message is still in its
     * listeners on the delivery thread, as soon as they return (the stop contract of
     * {@link io.pipeline.core.Source}). Idempotent.
     */
    @Override
    public final void stop() {
        super.stop();
        if (started.get()) {
            inbox.close(); // at once, not when the message in its listeners is done
            loop.shutDown(true);
        }
    }

    /**
     * Sends {@code text} on the open connection.
     *
     * @return false when not connected (or the message could not be queued); the message is then not sent
     */
    public final boolean send(String text) {
        Objects.requireNonNull(text, "text");
        SocketConnection connection = loop.current();
        WebSocket socket = connection == null ? null : connection.socket;
        return socket != null && connection.opened && !connection.ended.get() && socket.send(text);
    }

    /**
     * Called on each (re)connect, after {@link #CONNECTED} is emitted and before any message is handled: send
     * subscription messages here. Runs on the delivery thread; a thrown exception is emitted as {@link #ERROR}.
     */
    protected void onConnect(WebSocket socket) {}

    /**
     * Handles one message: by default emits {@link #MESSAGE} with {@link #parse parse(text)}. Override for
     * non-JSON formats. Binary messages arrive here decoded as UTF-8 (malformed sequences become U+FFFD).
     * A {@link JsonProcessingException} is emitted as {@link #ERROR} (a {@link RecoveredFailure}) as malformed
     * input, any other exception as a handling failure; the connection stays up either way. Returning normally
     * resets the failure count. Runs on the delivery thread.
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

    /** The OkHttp client in use, with the source's settings applied. */
    final OkHttpClient client() {
        return loop.client().client();
    }

    /** Whether the client was created by this source, which then shuts it down with itself. */
    final boolean ownsClient() {
        return loop.client().owned();
    }

    /** Waits until the source's own scheduler and delivery threads have ended. */
    final boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(Durations.nanos(timeout), Long.MAX_VALUE / 4);
        if (!loop.timers().awaitTermination(timeout)) {
            return false;
        }
        Thread thread = delivery;
        if (thread != null) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            thread.join(left);
            return !thread.isAlive();
        }
        return true;
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

    /** The delivery thread's loop: one item at a time until the source ends. */
    private void deliverAll() {
        try {
            while (inbox.drainOnce(this::deliverOne)) {
                // next
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            fail(new IllegalStateException("WebSocketSource '" + name() + "' delivery failed: " + e, e));
            if (e instanceof VirtualMachineError error) {
                throw error;
            }
        }
    }

    /** One item as the source's emitting work: none begins after stop(), and stop()'s future waits for this one. */
    private void deliverOne(Inbox.Item item) {
        if (!beginEmitting()) {
            return;
        }
        try {
            item.deliver();
        } finally {
            endEmitting();
        }
    }

    private void receive(String text) {
        try {
            onText(text);
        } catch (JsonProcessingException e) {
            loop.recovered(new IOException("malformed JSON message (" + text.length() + " chars) from " + url()
                    + ": " + e.getOriginalMessage(), e));
            return;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            emitError(new IOException("failed to handle message from " + url() + ": " + e, e));
            return;
        }
        loop.resetFailures();
    }

    private void emitError(Throwable error) {
        try {
            emit(ERROR, error);
        } catch (RuntimeException e) {
            e.addSuppressed(error);
            fail(e);
        }
    }

    /** Queues {@code item} for the delivery thread; the reader waits here while the inbox is full. */
    private void enqueue(Inbox.Item item) {
        try {
            inbox.offer(item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One message, delivered in order on the delivery thread. */
    private record Text(WebSocketSource source, String text, long bytes) implements Inbox.Item {
        @Override
        public void deliver() {
            if (!source.isDone()) {
                source.receive(text);
            }
        }
    }

    /** One connection attempt; callbacks of a connection that is no longer current are ignored. */
    private final class SocketConnection extends WebSocketListener implements ReconnectLoop.Connection {
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
            if (!loop.isCurrent(this) || ended.get()) {
                webSocket.close(NORMAL_CLOSURE, "source stopped");
                return;
            }
            socket = webSocket;
            opened = true;
            lastMessageMillis = options.clock().millis();
            armWatchdog(options.heartbeatTimeout());
            enqueue(item(() -> {
                if (isDone()) {
                    return;
                }
                loop.counters().connects().increment();
                if (!loop.emitOrFail(CONNECTED, url())) {
                    return;
                }
                try {
                    onConnect(webSocket);
                } catch (RuntimeException e) {
                    emitError(new IOException("onConnect failed for " + url() + ": " + e, e));
                }
            }));
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            if (ended.get() || isDone()) {
                return;
            }
            lastMessageMillis = options.clock().millis();
            long cap = options.maxFrameBytes();
            long size = Utf8.size(text); // exact: the BYTES counter reports it
            received(size);
            if (size > cap) {
                refuse(size);
                return;
            }
            enqueue(new Text(WebSocketSource.this, text, Math.max(1, size)));
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            if (ended.get() || isDone()) {
                return;
            }
            lastMessageMillis = options.clock().millis();
            received(bytes.size());
            if (bytes.size() > options.maxFrameBytes()) {
                refuse(bytes.size());
                return;
            }
            enqueue(new Text(WebSocketSource.this, bytes.utf8(), Math.max(1, bytes.size())));
        }

        private void received(long size) {
            StreamCounters counters = loop.counters();
            counters.messages().increment();
            counters.bytes().add(size);
        }

        private void refuse(long size) {
            IOException error = new IOException("WebSocket message of " + size + " bytes exceeds maxFrameBytes "
                    + options.maxFrameBytes() + " (" + url() + "); dropped without parsing");
            enqueue(item(() -> loop.recovered(error)));
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

        /** Reports the loss once, after every message already read: through the inbox, in order. */
        private void lost(String reason, Throwable cause) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            cancelWatchdog();
            enqueue(item(() -> loop.lost(this, reason, cause)));
        }

        private void armWatchdog(Duration delay) {
            if (options.heartbeatTimeout().isZero() || ended.get()) {
                return;
            }
            try {
                watchdog = loop.timers().schedule(this::checkSilence, delay);
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
            long timeout = Durations.millis(options.heartbeatTimeout());
            long now = options.clock().millis();
            // While delivery, not the server, holds the connection up, silence counts only from when it is idle.
            long silent = now - Math.max(lastMessageMillis, inbox.idleSince(now));
            if (silent < timeout) {
                armWatchdog(Duration.ofMillis(timeout - silent));
                return;
            }
            // Cancelling makes OkHttp's reader thread report the failure, after any message it is reading. Should
            // that thread be gone (an OutOfMemoryError on a huge frame ends it unreported), report it ourselves.
            heartbeatLost = "no message for " + silent + " ms (heartbeatTimeout " + timeout + " ms)";
            socket.cancel();
            try {
                watchdog = loop.timers().schedule(() -> lost(heartbeatLost,
                        new SocketTimeoutException(heartbeatLost + " (" + url() + ")")), LOSS_REPORT_GRACE);
            } catch (RejectedExecutionException e) {
                // the source has ended meanwhile
            }
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

    private static Inbox.Item item(Runnable action) {
        return new Inbox.Item() {
            @Override
            public long bytes() {
                return 0;
            }

            @Override
            public void deliver() {
                action.run();
            }
        };
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
        private final Duration closeTimeout;
        private final long receiveBufferBytes;

        private Options(StreamSettings common, Duration pingInterval, Duration heartbeatTimeout, long maxFrameBytes,
                        ObjectMapper objectMapper, Duration closeTimeout, long receiveBufferBytes) {
            this.common = common;
            this.pingInterval = pingInterval;
            this.heartbeatTimeout = heartbeatTimeout;
            this.maxFrameBytes = maxFrameBytes;
            this.objectMapper = objectMapper;
            this.closeTimeout = closeTimeout;
            this.receiveBufferBytes = receiveBufferBytes;
        }

        /**
         * Ping every 10 s, heartbeat timeout 30 s, give up after 10 failures in a row, 1 MiB message cap, 16 MiB
         * receive buffer, 1 s close timeout, reconnect backoff 1 s doubling up to 30 s with up to 20 % jitter, no
         * extra headers, an OkHttp client, a bounded Jackson mapper and a scheduler thread of the source's own,
         * the system UTC clock.
         */
        public static Options defaults() {
            return new Options(StreamSettings.defaults(), Duration.ofSeconds(10), Duration.ofSeconds(30),
                    1024 * 1024, null, Duration.ofSeconds(1), 16L * 1024 * 1024);
        }

        /** OkHttp's ping interval; a missing pong fails the connection. {@link Duration#ZERO} disables pings. */
        public Options withPingInterval(Duration interval) {
            return new Options(common, Checks.nonNegative(interval, "pingInterval"), heartbeatTimeout, maxFrameBytes,
                    objectMapper, closeTimeout, receiveBufferBytes);
        }

        /**
         * How long without a message before the connection counts as lost (millisecond precision).
         * {@link Duration#ZERO} disables the watchdog.
         */
        public Options withHeartbeatTimeout(Duration timeout) {
            return new Options(common, pingInterval, Checks.nonNegative(timeout, "heartbeatTimeout"), maxFrameBytes,
                    objectMapper, closeTimeout, receiveBufferBytes);
        }

        /** How many failed connections or disconnects in a row, without a handled message, stop the source. */
        public Options withExceptionThreshold(int threshold) {
            return with(common.withExceptionThreshold(threshold));
        }

        /**
         * The largest message accepted, in bytes (UTF-8 bytes for text messages); a larger one is refused with an
         * {@code ERROR}. OkHttp reads a message whole before this check, so the cap does not bound memory: see
         * "Limits and memory" in {@link WebSocketSource}.
         */
        public Options withMaxFrameBytes(long bytes) {
            return new Options(common, pingInterval, heartbeatTimeout, Checks.positive(bytes, "maxFrameBytes"),
                    objectMapper, closeTimeout, receiveBufferBytes);
        }

        /**
         * The delay before the first reconnect, doubling with each further failure in a row up to {@code max};
         * up to 20 % of each delay is added at random.
         *
         * @throws IllegalArgumentException if {@code initial} is not positive or {@code max} is less than it
         */
        public Options withReconnectBackoff(Duration initial, Duration max) {
            return with(common.withReconnectBackoff(initial, max));
        }

        /**
         * Sends header {@code name: value} with the upgrade request, replacing an earlier value of that name (names
         * are case-insensitive) — the same meaning in every source's options.
         */
        public Options withHeader(String name, String value) {
            return with(common.withHeader(name, value));
        }

        /**
         * Connects with a client derived from {@code client}: it shares the connection pool and the dispatcher's
         * executor threads, has this ping interval and close timeout and a dispatcher of its own, so the caller's
         * {@code maxRequestsPerHost} (OkHttp's default is 5) never queues a socket behind other long-lived ones.
         * The source never shuts a caller's client down; a client it creates itself is shut down when the source
         * ends.
         */
        public Options withClient(OkHttpClient client) {
            return with(common.withClient(client));
        }

        /** Parses messages with {@code mapper}, and its own stream-read constraints. */
        public Options withObjectMapper(ObjectMapper mapper) {
            return new Options(common, pingInterval, heartbeatTimeout, maxFrameBytes,
                    Objects.requireNonNull(mapper, "mapper"), closeTimeout, receiveBufferBytes);
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

        /**
         * How long {@link WebSocketSource#stop()} waits for the server to answer the close frame before it cancels
         * the socket. Default 1 s.
         */
        public Options withCloseTimeout(Duration timeout) {
            return new Options(common, pingInterval, heartbeatTimeout, maxFrameBytes, objectMapper,
                    Checks.positive(timeout, "closeTimeout"), receiveBufferBytes);
        }

        /**
         * How many bytes of received messages may wait for delivery before the reader stops reading (at least one
         * message always fits). Default 16 MiB.
         */
        public Options withReceiveBufferBytes(long bytes) {
            return new Options(common, pingInterval, heartbeatTimeout, maxFrameBytes, objectMapper, closeTimeout,
                    Checks.positive(bytes, "receiveBufferBytes"));
        }

        /** The close timeout. */
        public Duration closeTimeout() {
            return closeTimeout;
        }

        /** The bytes of received messages that may wait for delivery. */
        public long receiveBufferBytes() {
            return receiveBufferBytes;
        }

        /** The names of the extra headers, in order (values are not exposed). */
        public List<String> headerNames() {
            return List.copyOf(common.headers().names());
        }

        /** OkHttp's ping interval; zero when pings are disabled. */
        public Duration pingInterval() {
            return pingInterval;
        }

        /** The silence after which a connection counts as lost; zero when the watchdog is disabled. */
        public Duration heartbeatTimeout() {
            return heartbeatTimeout;
        }

        /**
         * How often the stream is expected to deliver a message, for the flow's stall watchdog: when nothing has
         * arrived for a multiple of this (default 3×), the flow's health is DEGRADED naming this source. Default:
         * none, no watchdog (a quiet stream may be healthy).
         *
         * @throws IllegalArgumentException if {@code interval} is not positive
         */
        public Options withExpectedInterval(Duration interval) {
            return with(common.withExpectedInterval(interval));
        }

        /**
         * Whether the flow fails this source when the watchdog finds it stalled, so that its manager restarts (and
         * the stream reconnects). Default {@code false}; meaningful only with {@link #withExpectedInterval}.
         */
        public Options withRestartWhenStalled(boolean restart) {
            return with(common.withRestartWhenStalled(restart));
        }

        /** The interval the stall watchdog expects messages at; empty when none was set. */
        public Optional<Duration> expectedInterval() {
            return Optional.ofNullable(common.expectedInterval());
        }

        /** Whether a stalled source is failed so that its manager restarts. */
        public boolean restartWhenStalled() {
            return common.restartWhenStalled();
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

        /** Extra headers sent with the upgrade request. Their values may be secrets: do not log them. */
        public Headers headers() {
            return common.headers();
        }

        /** The caller's OkHttp client; empty when the source creates its own. */
        public Optional<OkHttpClient> client() {
            return Optional.ofNullable(common.client());
        }

        /** The caller's object mapper, if one was given. */
        public Optional<ObjectMapper> objectMapper() {
            return Optional.ofNullable(objectMapper);
        }

        /** The clock of the heartbeat watchdog. */
        public Clock clock() {
            return common.clock();
        }

        /** The caller's scheduler; empty when the source runs a thread of its own. */
        public Optional<ScheduledExecutorService> scheduler() {
            return Optional.ofNullable(common.scheduler());
        }

        /** The jitter source. */
        public RandomGenerator random() {
            return common.random();
        }

        private Options with(StreamSettings changed) {
            return new Options(changed, pingInterval, heartbeatTimeout, maxFrameBytes, objectMapper, closeTimeout,
                    receiveBufferBytes);
        }
    }
}
