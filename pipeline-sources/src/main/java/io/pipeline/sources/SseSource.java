package io.pipeline.sources;

import io.pipeline.core.Backoff;
import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.RecoveredFailure;
import io.pipeline.core.Source;
import io.pipeline.core.SourceMetrics;
import java.io.EOFException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Utf8;

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
 * <h2>The stream</h2>
 * The stream is parsed as the WHATWG HTML standard's {@code text/event-stream} rules say (the web-platform-tests'
 * {@code eventsource/format-*} cases are the reference): one leading byte order mark is stripped; lines end with
 * CRLF, LF or CR; comments and unknown fields are ignored; an {@code id} containing U+0000 is ignored and an empty
 * {@code id:} resets the last event id; {@code retry:} takes ASCII digits only. Each event's {@link Message#id()}
 * is the last event id at that point (also from earlier connections), as a browser's {@code lastEventId} is.
 * A response must be {@code 200 OK} with a {@code text/event-stream} content type; any other status (204, 205 and
 * other 2xx included) or type fails the connection with an {@link #ERROR} and no {@link #MESSAGE}.
 *
 * <p>One event may hold at most {@link Options#maxEventBytes()} (UTF-8 bytes of its fields together, and of any
 * one line): a larger one is an {@code ERROR} and a reconnect, and the source never buffers more than that and one
 * read segment — a server sending an endless line cannot exhaust the heap.
 *
 * <h2>Reconnecting, and where this differs from a browser</h2>
 * When the stream ends or fails the source reconnects, sending {@code Last-Event-ID} (UTF-8, as the standard
 * says; none when the last event id is empty). The delay is the server's {@code retry:} value when it has sent one
 * — exactly that for the first reconnect, doubling for further failures in a row up to the larger of it and
 * {@link Options#reconnectMax()}, without jitter; after {@code retry: 0} the first reconnect is immediate and the
 * next ones back off from {@link Options#reconnectInitial()} — and otherwise the exponential, jittered
 * {@linkplain Options#withReconnectBackoff backoff}. Unlike a browser's {@code EventSource}, which gives up for
 * good on a non-200 response or a wrong content type, this source treats those as failures like any other and
 * retries them with backoff: a server being deployed or misrouted briefly should not end a pipeline.
 *
 * <h2>Failures and the threshold</h2>
 * A stream that ends, a connection that fails or is silent longer than {@link Options#readTimeout()}, a wrong
 * status or content type, or an event over the cap each count as a failure, are logged as one line at WARN (the
 * stack trace at DEBUG) and are emitted as {@link #ERROR} with a {@link RecoveredFailure} — which never fails the
 * manager, listened to or not — followed by {@link #DISCONNECTED}. A received event resets the count. When
 * {@link Options#exceptionThreshold()} failures happen in a row the source gives up: its future completes
 * exceptionally with an {@link IOException} saying it "disconnected too many times, stopped", naming the redacted
 * URL, with the last cause as its cause, and a {@code Flow} restarts the manager. An exception thrown while a
 * reconnect is being set up fails the source the same way; none is swallowed.
 *
 * <h2>Events</h2>
 * {@link #CONNECTED} (the redacted URL) when a stream opens; {@link #MESSAGE} for each event, in stream order;
 * {@link #ERROR} and then {@link #DISCONNECTED} (the reason) each time a stream ends or a connection attempt
 * fails. Nothing is emitted by {@link #stop()}.
 *
 * <h2>Metrics and logs</h2>
 * The source counts {@link #CONNECTS}, {@link #RECONNECTS}, {@link #MESSAGES} and {@link #BYTES}, reported in
 * {@code Flow.metrics()}. With {@link Options#withExpectedInterval} a flow's stall watchdog finds it stalled when no
 * message arrives for a multiple of that interval (a connected but silent stream). While it logs a lost connection
 * (and emits it) or a connect, SLF4J's MDC holds {@code pipeline.flow}, {@code pipeline.manager} and
 * {@code pipeline.processor}.
 *
 * <h2>Threads</h2>
 * Streams are read and events emitted on the source's client's dispatcher threads, one connection at a time; the
 * {@link MessageHandler} decides where listeners run. Reconnects run on the scheduler ({@code pipeline-<name>-sse}
 * unless one is injected). The source's client has a dispatcher of its own (see {@link Options#withClient}), so
 * long-lived streams never wait in OkHttp's per-host queue.
 *
 * <p>Lifecycle: NEW → CONNECTING ⇄ STREAMING → STOPPED (by {@link #stop()}, future completes normally) or FAILED
 * (threshold reached or the handler closed; future completes exceptionally). {@link #start()} may be called once.
 * This class is thread-safe.
 */
public final class SseSource extends Source {
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

    /** {@link SourceMetrics#counter(String) Counter} of connections opened: one per {@link #CONNECTED}. */
    public static final String CONNECTS = "connects";
    /** Counter of connection attempts after a lost connection or a failed attempt (the first connect is not one). */
    public static final String RECONNECTS = "reconnects";
    /** Counter of events received (each {@link #MESSAGE}). */
    public static final String MESSAGES = "messages";
    /** Counter of bytes received in events: the UTF-8 bytes of their data. */
    public static final String BYTES = "bytes";

    private static final MediaType EVENT_STREAM = MediaType.get("text/event-stream");

    private final Request request;
    private final Options options;
    private final ReconnectLoop<StreamConnection> loop;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicLong retryMillis = new AtomicLong(-1); // the server's retry: value, -1 until it sends one
    private volatile String lastEventId = "";
    private volatile Instant lastEventAt;

    /**
     * One Server-Sent Event.
     *
     * @param id the last event id when the event was dispatched — the event's own {@code id:} or one set before
     *     it, on this or an earlier connection; {@code null} when none is set
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
        super(name, handler);
        Objects.requireNonNull(url, "url");
        this.options = Objects.requireNonNull(options, "options");
        this.request = new Request.Builder().url(url).headers(options.headers())
                .header("Accept", "text/event-stream").header("Cache-Control", "no-cache").build();
        String threadName = "pipeline-" + name + "-sse";
        StreamClient client = StreamClient.derive(options.common.client(), threadName + "-reader",
                builder -> builder.readTimeout(Durations.forOkHttp(options.readTimeout())));
        this.loop = new ReconnectLoop<>(this, newCounters(), SseSource.class, this::fail, Urls.redact(request.url()),
                client,
                options.exceptionThreshold(), options.common.scheduler(), threadName, StreamConnection::new,
                this::reconnectDelay, DISCONNECTED);
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

    /** The URL followed, with credentials and secret-looking query parameters redacted. */
    public String url() {
        return loop.url();
    }

    /** The options this source was created with. */
    public Options options() {
        return options;
    }

    /** The last event id received, sent as {@code Last-Event-ID} on reconnect; empty when none is set. */
    public Optional<String> lastEventId() {
        String id = lastEventId;
        return id.isEmpty() ? Optional.empty() : Optional.of(id);
    }

    /** The reconnection time the server set with {@code retry:}, if it has. */
    public Optional<Duration> serverRetry() {
        long millis = retryMillis.get();
        return millis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
    }

    /** The failures in a row since the last received event. */
    public int consecutiveFailures() {
        return loop.consecutiveFailures();
    }

    /**
     * Connects, and keeps reconnecting until {@link #stop()} or too many failures. Returns at once.
     *
     * @throws IllegalStateException if already started
     */
    @Override
    public CompletableFuture<Void> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("SseSource '" + name() + "' already started");
        }
        completion().whenComplete((ignored, failure) -> loop.shutDown(failure == null));
        loop.start();
        return completion();
    }

    /**
     * Cancels the stream and any pending reconnect; nothing is emitted after it returns. The future completes
     * normally — at once, or, when an event is still in its listeners on the OkHttp thread reading the stream, as
     * soon as they return (the stop contract of {@link io.pipeline.core.Source}). Idempotent.
     */
    @Override
    public void stop() {
        super.stop();
        if (started.get()) {
            loop.shutDown(true); // at once, not when the event in its listeners is done
        }
    }

    /** The delay before reconnect number {@code failuresInARow}. */
    Duration reconnectDelay(int failuresInARow) {
        long retry = retryMillis.get();
        if (retry < 0) {
            return options.common.backoff().delay(failuresInARow, options.random());
        }
        Duration server = Duration.ofMillis(retry);
        if (failuresInARow <= 1) {
            return server;
        }
        // retry: 0 asks for an immediate reconnect; when that fails too, back off from the configured start.
        Duration base = server.isZero() ? options.reconnectInitial() : server;
        Duration max = base.compareTo(options.reconnectMax()) > 0 ? base : options.reconnectMax();
        int attempt = server.isZero() ? failuresInARow - 1 : failuresInARow;
        return Backoff.exponential(base, max).withJitter(0).delay(attempt, options.random());
    }

    /** The OkHttp client in use. */
    OkHttpClient client() {
        return loop.client().client();
    }

    /** Waits until the source's own scheduler thread has ended. */
    boolean awaitTermination(Duration timeout) throws InterruptedException {
        return loop.timers().awaitTermination(timeout);
    }

    private String sinceLastEvent() {
        Instant at = lastEventAt;
        return at == null ? "no event received yet"
                : "last event " + Duration.between(at, options.clock().instant()).toMillis() + " ms ago";
    }

    /** One connection; callbacks of a connection that is no longer current are ignored. */
    private final class StreamConnection implements ReconnectLoop.Connection, Callback, SseReader.Handler {
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile Call call;

        @Override
        public void open() {
            String id = lastEventId;
            Request next = request;
            if (!id.isEmpty()) {
                // The standard sends the id as UTF-8; OkHttp writes header values as UTF-8 when allowed to.
                Headers headers = request.headers().newBuilder().addUnsafeNonAscii(LAST_EVENT_ID, id).build();
                next = request.newBuilder().headers(headers).build();
            }
            Call c = client().newCall(next);
            call = c;
            c.enqueue(this);
        }

        @Override
        public void abandon() {
            call.cancel();
        }

        @Override
        public void close(boolean normal) {
            ended.set(true);
            Call c = call;
            if (c != null) {
                c.cancel();
            }
        }

        @Override
        public void onFailure(Call c, IOException e) {
            lost("connection failed: " + e, e);
        }

        @Override
        public void onResponse(Call c, Response response) {
            try (response) {
                if (!loop.isCurrent(this) || ended.get()) {
                    return;
                }
                if (response.code() != 200) {
                    String why = "HTTP " + response.code()
                            + (response.message().isEmpty() ? "" : " " + response.message()) + " (not 200 OK)";
                    lost(why, new IOException(why + " from " + url()));
                    return;
                }
                ResponseBody body = response.body();
                MediaType type = body.contentType();
                if (!isEventStream(type)) {
                    String why = "Invalid content-type: " + type + " (not text/event-stream)";
                    lost(why, new IOException(why + " from " + url()));
                    return;
                }
                loop.counters().connects().increment();
                if (!emitConnected()) {
                    return;
                }
                read(body);
            }
        }

        private void read(ResponseBody body) {
            try {
                new SseReader(body.source(), this, options.maxEventBytes(), lastEventId).readAll();
                String why = "stream ended by server (" + sinceLastEvent() + ")";
                lost(why, new EOFException(why + ": " + url()));
            } catch (SseReader.TooLargeException e) {
                lost("event too large: " + e.getMessage(), new IOException(e.getMessage() + " (" + url() + ")", e));
            } catch (IOException e) {
                lost("connection lost: " + e + " (" + sinceLastEvent() + ")", e);
            } catch (Stopped e) {
                // the source ended while reading; the stream is cancelled
            } catch (RuntimeException | Error e) {
                // The handler refused an event, or an Error escaped a listener: nothing more can be delivered, and
                // the source must not hang with its stream half read.
                fail(e);
                if (e instanceof VirtualMachineError error) {
                    throw error;
                }
            }
        }

        /** Emits CONNECTED as the source's emitting work; false when the source ended or the emit was refused. */
        private boolean emitConnected() {
            if (!beginEmitting()) {
                return false;
            }
            try {
                return loop.emitOrFail(CONNECTED, url());
            } finally {
                endEmitting();
            }
        }

        /** One event, as the source's emitting work: after stop() none begins, and stop() waits for this one. */
        @Override
        public void onEvent(String id, String type, String data) {
            if (ended.get() || !beginEmitting()) {
                throw new Stopped();
            }
            try {
                lastEventAt = options.clock().instant();
                StreamCounters counters = loop.counters();
                counters.messages().increment();
                counters.bytes().add(Utf8.size(data));
                loop.resetFailures(); // before the listeners run: they see the count of a working stream
                boolean interruptedBefore = Thread.currentThread().isInterrupted();
                emit(MESSAGE, new Message(id.isEmpty() ? null : id, type, data));
                if (!interruptedBefore) {
                    // A listener that threw InterruptedException on this reader thread (a SyncDispatcher reports it
                    // as an ERROR and sets the flag again, for the emitter's sake) must not drop a healthy stream:
                    // the emitter is the source's own reader, which nobody else interrupts, and left set the flag
                    // would only make its next read fail.
                    Thread.interrupted();
                }
            } finally {
                endEmitting();
            }
        }

        @Override
        public void onRetry(long millis) {
            retryMillis.set(millis);
        }

        @Override
        public void onLastEventId(String id) {
            if (!ended.get()) {
                lastEventId = id;
            }
        }

        /** Reports the loss (it emits ERROR and DISCONNECTED) as emitting work; not once the source was stopped. */
        private void lost(String reason, Throwable cause) {
            if (!ended.compareAndSet(false, true) || !beginEmitting()) {
                return;
            }
            try {
                loop.lost(this, reason, cause);
            } finally {
                endEmitting();
            }
        }
    }

    /** Unwinds the reader when the source ended while an event was being read. */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super(null, null, false, false);
        }
    }

    private static boolean isEventStream(MediaType type) {
        return type != null && type.type().toLowerCase(Locale.ROOT).equals(EVENT_STREAM.type())
                && type.subtype().toLowerCase(Locale.ROOT).equals(EVENT_STREAM.subtype());
    }

    /**
     * How an {@link SseSource} connects and reconnects. Start from {@link #defaults()} and change values with the
     * {@code with…} methods, which validate and return a copy. Instances are immutable and safe for concurrent
     * use.
     */
    public static final class Options {
        private final StreamSettings common;
        private final Duration readTimeout;
        private final long maxEventBytes;

        private Options(StreamSettings common, Duration readTimeout, long maxEventBytes) {
            this.common = common;
            this.readTimeout = readTimeout;
            this.maxEventBytes = maxEventBytes;
        }

        /**
         * Give up after 10 failures in a row, reconnect backoff 1 s doubling up to 30 s with up to 20 % jitter, no
         * extra headers, an OkHttp client of the source's own, a 60 s read timeout, events up to 1 MiB, the system
         * UTC clock and a scheduler thread of the source's own.
         */
        public static Options defaults() {
            return new Options(StreamSettings.defaults(), Duration.ofSeconds(60), 1024 * 1024);
        }

        /** How many failures in a row, without an event received, stop the source. */
        public Options withExceptionThreshold(int threshold) {
            return with(common.withExceptionThreshold(threshold));
        }

        /**
         * The delay before the first reconnect, doubling with each further failure in a row up to {@code max};
         * up to 20 % of each delay is added at random. A {@code retry:} from the server takes precedence.
         *
         * @throws IllegalArgumentException if {@code initial} is not positive or {@code max} is less than it
         */
        public Options withReconnectBackoff(Duration initial, Duration max) {
            return with(common.withReconnectBackoff(initial, max));
        }

        /**
         * Sends header {@code name: value} with every request, replacing an earlier value of that name (names are
         * case-insensitive) — the same meaning in every source's options.
         */
        public Options withHeader(String name, String value) {
            return with(common.withHeader(name, value));
        }

        /**
         * Connects with a client derived from {@code client}: it shares the connection pool and the dispatcher's
         * executor threads, has this read timeout and a dispatcher of its own, so the caller's
         * {@code maxRequestsPerHost} never queues a stream. The source never shuts a caller's client down; a
         * client it creates itself is shut down when the source ends.
         */
        public Options withClient(OkHttpClient client) {
            return with(common.withClient(client));
        }

        /**
         * The longest silence tolerated on an open stream before it counts as lost — the server's heartbeat
         * (comment lines count) must come more often. {@link Duration#ZERO} waits forever.
         */
        public Options withReadTimeout(Duration timeout) {
            return new Options(common, Checks.nonNegative(Objects.requireNonNull(timeout, "timeout"), "readTimeout"),
                    maxEventBytes);
        }

        /**
         * The largest event accepted, in UTF-8 bytes of its fields together (and of any one line); a larger one
         * is an {@code ERROR} and a reconnect. Default 1 MiB.
         */
        public Options withMaxEventBytes(long maxEventBytes) {
            return new Options(common, readTimeout, Checks.positive(maxEventBytes, "maxEventBytes"));
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

        /** The delay before the first reconnect (before jitter). */
        public Duration reconnectInitial() {
            return common.reconnectInitial();
        }

        /** The longest delay between reconnects (before jitter). */
        public Duration reconnectMax() {
            return common.reconnectMax();
        }

        /** Extra headers sent with every request. Their values may be secrets: do not log them. */
        public Headers headers() {
            return common.headers();
        }

        /** The names of the extra headers, in order (values are not exposed). */
        public List<String> headerNames() {
            return List.copyOf(common.headers().names());
        }

        /** The caller's OkHttp client; empty when the source creates its own. */
        public Optional<OkHttpClient> client() {
            return Optional.ofNullable(common.client());
        }

        /** The longest silence tolerated on an open stream; zero for none. */
        public Duration readTimeout() {
            return readTimeout;
        }

        /** The largest event accepted, in bytes. */
        public long maxEventBytes() {
            return maxEventBytes;
        }

        /** The clock. */
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

        @Override
        public String toString() {
            return "SseSource.Options[exceptionThreshold=" + exceptionThreshold() + ", backoff=" + common.backoff()
                    + ", headers=" + headerNames() + ", readTimeout=" + readTimeout + ", maxEventBytes="
                    + maxEventBytes + ", expectedInterval=" + common.expectedInterval() + ", restartWhenStalled="
                    + common.restartWhenStalled() + "]";
        }

        private Options with(StreamSettings changed) {
            return new Options(changed, readTimeout, maxEventBytes);
        }
    }
}
