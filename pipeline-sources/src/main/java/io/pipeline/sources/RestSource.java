package io.pipeline.sources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Source;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Polls a JSON HTTP endpoint at a fixed rate and emits every response as {@link #DATA} (aiopype's
 * {@code RestSource}).
 *
 * <pre>{@code
 * var source = new RestSource(processorName("source"), handler,
 *         "https://api.example.com/quote?symbol=AAPL",
 *         RestSource.Options.defaults()
 *                 .withRequestInterval(Duration.ofSeconds(5))
 *                 .withHeader("X-Api-Key", apiKey));
 * source.on(RestSource.DATA, poll -> processor.handle(poll.body()));
 * }</pre>
 *
 * <h2>Polling</h2>
 * The first request is sent when the source starts, then one every {@link Options#requestInterval()} at a fixed
 * rate: each poll is planned at the previous planned time plus the interval, so delays do not accumulate. Requests
 * never overlap: when a response takes longer than the interval, the next request is sent as soon as it has been
 * handled and the schedule restarts from that moment. Requests are asynchronous OkHttp calls; no thread is held
 * per source while waiting.
 *
 * <h2>Failures</h2>
 * A connection failure, a timeout, a non-2xx status, a truncated or oversized body, or a body that is not valid
 * JSON is emitted as {@link #ERROR} with a {@link PollException} naming the redacted URL, the status (if any) and
 * what went wrong — never a header value — and counted. A successful response (including {@code 304 Not
 * Modified}) resets the count. When {@link Options#exceptionThreshold()} failures follow each other, the source's
 * future completes exceptionally with a {@link FailureThresholdException} whose cause is the last failure, so a
 * {@code Flow} restarts its manager (aiopype's {@code exception_threshold}). Under a {@code Flow}, an
 * {@code ERROR} nobody listens to fails the manager at once; listen to {@code ERROR} to let the threshold decide.
 *
 * <p>A {@code 429 Too Many Requests} or {@code 503 Service Unavailable} response is a failure like any other
 * (emitted and counted); when it carries {@code Retry-After} (delta-seconds or an HTTP-date), the next request
 * waits until that time, capped at {@link Options#maxRetryAfter()}, or until the next planned poll if that is
 * later.
 *
 * <h2>Conditional requests</h2>
 * The {@code ETag} and {@code Last-Modified} of the last successful response are sent back as
 * {@code If-None-Match} and {@code If-Modified-Since}. A {@code 304 Not Modified} emits nothing.
 *
 * <h2>Lifecycle and threads</h2>
 * NEW → RUNNING ({@link #start()}) → DONE (stopped, or failed at the threshold). {@link #stop()} cancels the
 * scheduled poll and the call in flight, and completes the future normally; once it has returned no new emission
 * begins (one that was already being delivered on another thread may finish). Requests are built on the
 * scheduler's thread; {@link #parse(byte[])} runs and {@code DATA}/{@code ERROR} are emitted on an OkHttp
 * dispatcher thread, one poll at a time. This class is thread-safe.
 */
public class RestSource extends Source {
    /** Emitted with every successful (2xx) response. */
    public static final Event<Poll> DATA = Event.of("data", Poll.class);

    private final HttpUrl url;
    private final String redactedUrl;
    private final Options options;
    private final OkHttpClient client;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicInteger failures = new AtomicInteger();
    private final Object lock = new Object();
    private Call inFlight; // guarded by lock
    private ScheduledFuture<?> pending; // guarded by lock
    private volatile long anchorNanos; // the planned time of the current poll, on System.nanoTime's scale
    private volatile String etag;
    private volatile String lastModified;

    /**
     * One response: when it arrived ({@link Options#clock()}), its status, its parsed body and its headers.
     *
     * @param body the parsed JSON; {@link MissingNode} for an empty body
     */
    public record Poll(Instant time, int status, JsonNode body, Headers headers) {
        public Poll {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(headers, "headers");
        }
    }

    /**
     * Creates a source polling {@code url}.
     *
     * @throws IllegalArgumentException if {@code url} is not an http or https URL
     */
    public RestSource(String name, MessageHandler handler, String url, Options options) {
        super(name, handler);
        Objects.requireNonNull(url, "url");
        this.options = Objects.requireNonNull(options, "options");
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed == null) {
            throw new IllegalArgumentException("not an http or https URL: " + Urls.redact(url));
        }
        this.url = parsed;
        this.redactedUrl = Urls.redact(parsed);
        this.client = options.client().newBuilder()
                .connectTimeout(options.connectTimeout())
                .readTimeout(options.readTimeout())
                .callTimeout(options.callTimeout())
                .build();
        this.scheduler = options.scheduler() != null ? options.scheduler() : RestDefaults.scheduler();
    }

    /** The polled URL with secret-looking query values and user info redacted: safe to log. */
    public final String redactedUrl() {
        return redactedUrl;
    }

    /** This source's options. */
    public final Options options() {
        return options;
    }

    /**
     * The request of one poll. The default is a GET of the URL with the headers given to
     * {@link Options#withHeader(String, String)}, {@code Accept: application/json}, and
     * {@code If-None-Match}/{@code If-Modified-Since} when the last successful response had an {@code ETag}/{@code Last-Modified}. Override to sign requests or add query parameters; call
     * {@code super.buildRequest().newBuilder()} to keep the defaults. Runs on the scheduler's thread; an exception
     * counts as a failed poll.
     */
    protected Request buildRequest() {
        Request.Builder builder = new Request.Builder().url(url).get().header("Accept", "application/json");
        for (Header header : options.headers) {
            builder.addHeader(header.name(), header.value());
        }
        String tag = etag;
        if (tag != null) {
            builder.header("If-None-Match", tag);
        }
        String modified = lastModified;
        if (modified != null) {
            builder.header("If-Modified-Since", modified);
        }
        return builder.build();
    }

    /**
     * Parses a response body. The default reads it as one JSON document with {@link Options#objectMapper()}
     * (whose factory, by default, carries explicit {@link Options#DEFAULT_READ_CONSTRAINTS}); trailing content
     * fails; an empty body gives {@link MissingNode}. Runs on an OkHttp thread.
     *
     * @throws IOException if the body is not valid JSON
     */
    protected JsonNode parse(byte[] body) throws IOException {
        if (body.length == 0) {
            return MissingNode.getInstance();
        }
        JsonNode node = options.objectMapper().reader()
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readTree(body);
        return node == null ? MissingNode.getInstance() : node;
    }

    /**
     * Starts polling: the first request goes out at once on the scheduler.
     *
     * @return a future completed normally by {@link #stop()} and exceptionally with a
     *     {@link FailureThresholdException} when too many polls failed in a row
     * @throws IllegalStateException if already started
     */
    @Override
    public CompletableFuture<Void> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("RestSource '" + name() + "' already started");
        }
        completion().whenComplete((ignored, failure) -> cancelWork());
        anchorNanos = System.nanoTime();
        schedule(0);
        return completion();
    }

    /** Cancels the scheduled poll and the call in flight; the future completes normally. Idempotent. */
    @Override
    public void stop() {
        super.stop();
        cancelWork();
    }

    /** The number of failed polls since the last success. */
    public final int consecutiveFailures() {
        return failures.get();
    }

    private void cancelWork() {
        Call call;
        ScheduledFuture<?> next;
        synchronized (lock) {
            call = inFlight;
            next = pending;
            inFlight = null;
            pending = null;
        }
        if (next != null) {
            next.cancel(false);
        }
        if (call != null) {
            call.cancel();
        }
    }

    private void schedule(long delayNanos) {
        synchronized (lock) {
            if (completion().isDone()) {
                return;
            }
            try {
                pending = scheduler.schedule(this::poll, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                fail(new IllegalStateException("RestSource '" + name() + "' cannot schedule its next poll of "
                        + redactedUrl + ": scheduler rejected it", e));
            }
        }
    }

    private void poll() {
        if (completion().isDone()) {
            return;
        }
        Request request;
        try {
            request = Objects.requireNonNull(buildRequest(), "buildRequest() returned null");
        } catch (RuntimeException e) {
            finish(new Outcome.Failed(new PollException(redactedUrl, 0, "could not build the request: " + e, e),
                    null));
            return;
        }
        Call call = client.newCall(request);
        synchronized (lock) {
            if (completion().isDone()) {
                return;
            }
            pending = null;
            inFlight = call;
        }
        call.enqueue(new Callback() {
            @Override
            public void onResponse(Call c, Response response) {
                Outcome outcome;
                try (response) {
                    outcome = handle(response);
                } catch (RuntimeException e) {
                    outcome = new Outcome.Failed(new PollException(redactedUrl, response.code(),
                            "response handling failed: " + e, e), null);
                }
                finish(outcome);
            }

            @Override
            public void onFailure(Call c, IOException e) {
                String what = e instanceof InterruptedIOException ? "timed out (" + e.getMessage() + ")"
                        : "request failed: " + e;
                finish(new Outcome.Failed(new PollException(redactedUrl, 0, what, e), null));
            }
        });
    }

    private Outcome handle(Response response) {
        Instant arrived = options.clock().instant();
        int status = response.code();
        if (status == 304) {
            return Outcome.NotModified.INSTANCE;
        }
        if (status < 200 || status > 299) {
            Duration retryAfter = status == 429 || status == 503
                    ? RetryAfter.parse(response.headers(), arrived, options.maxRetryAfter()) : null;
            String message = "HTTP " + status + (response.message().isEmpty() ? "" : " " + response.message())
                    + (retryAfter == null ? "" : ", Retry-After " + retryAfter);
            return new Outcome.Failed(new PollException(redactedUrl, status, message, null), retryAfter);
        }
        byte[] bytes;
        try {
            bytes = CappedBody.read(response.body(), options.maxBodyBytes());
        } catch (CappedBody.TooLargeException e) {
            return new Outcome.Failed(new PollException(redactedUrl, status, e.getMessage(), null), null);
        } catch (IOException e) {
            return new Outcome.Failed(new PollException(redactedUrl, status,
                    "body truncated or unreadable: " + e, e), null);
        }
        JsonNode body;
        try {
            body = Objects.requireNonNull(parse(bytes), "parse() returned null");
        } catch (IOException e) {
            return new Outcome.Failed(new PollException(redactedUrl, status,
                    "body is not valid JSON (" + bytes.length + " bytes): " + describe(e), e), null);
        }
        etag = response.header("ETag");
        lastModified = response.header("Last-Modified");
        return new Outcome.Data(new Poll(arrived, status, body, response.headers()));
    }

    /** Handles the outcome of one poll and plans the next. Runs on an OkHttp or the scheduler's thread. */
    private void finish(Outcome outcome) {
        synchronized (lock) {
            inFlight = null;
        }
        if (completion().isDone()) {
            return;
        }
        Duration retryAfter = null;
        try {
            if (outcome instanceof Outcome.Data data) {
                failures.set(0);
                emit(DATA, data.poll());
            } else if (outcome instanceof Outcome.NotModified) {
                failures.set(0);
            } else if (outcome instanceof Outcome.Failed failed) {
                int count = failures.incrementAndGet();
                emit(ERROR, failed.failure());
                if (count >= options.exceptionThreshold()) {
                    fail(new FailureThresholdException(redactedUrl, count, failed.failure()));
                    return;
                }
                retryAfter = failed.retryAfter();
            }
        } catch (RuntimeException e) {
            // The handler refused the message (closed, or full under Overflow.FAIL): nothing more can be delivered.
            if (!completion().isDone()) {
                fail(e);
            }
            return;
        }
        long now = System.nanoTime();
        long next = anchorNanos + options.requestInterval().toNanos();
        if (retryAfter != null) {
            next = Math.max(next, now + retryAfter.toNanos());
        }
        if (next - now < 0) {
            next = now; // the response was slower than the interval: poll now and plan from here
        }
        anchorNanos = next;
        schedule(next - now);
    }

    private sealed interface Outcome {
        record Data(Poll poll) implements Outcome {}

        enum NotModified implements Outcome { INSTANCE }

        record Failed(PollException failure, Duration retryAfter) implements Outcome {}
    }

    /** One failed poll: the redacted URL, the HTTP status (0 when no response arrived) and what went wrong. */
    public static final class PollException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String url;
        private final int status;

        PollException(String redactedUrl, int status, String what, Throwable cause) {
            super("GET " + redactedUrl + (status == 0 ? "" : " (HTTP " + status + ")") + ": " + what, cause);
            this.url = redactedUrl;
            this.status = status;
        }

        /** The polled URL, redacted. */
        public String url() {
            return url;
        }

        /** The response status, or 0 if no response arrived. */
        public int status() {
            return status;
        }
    }

    /** The source gave up: {@link #failures()} polls failed in a row; the cause is the last failure. */
    public static final class FailureThresholdException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int failures;

        FailureThresholdException(String redactedUrl, int failures, PollException last) {
            super("polling " + redactedUrl + " failed " + failures + " times in a row; last: " + last.getMessage(),
                    last);
            this.failures = failures;
        }

        /** How many consecutive polls failed. */
        public int failures() {
            return failures;
        }
    }

    record Header(String name, String value) {
        @Override
        public String toString() {
            return name + ": " + Urls.REDACTED; // never the value: it may be an API key
        }
    }

    private static String describe(IOException e) {
        // Jackson's original message leaves out the location, which would repeat a part of the body.
        return e instanceof JsonProcessingException json ? json.getOriginalMessage() : String.valueOf(e.getMessage());
    }

    /**
     * Immutable polling options; every {@code with…} returns a copy. Instances are immutable and safe for concurrent
     * use.
     */
    public static final class Options {
        /** The read constraints of the default object mapper's JSON factory. */
        public static final StreamReadConstraints DEFAULT_READ_CONSTRAINTS = StreamReadConstraints.builder()
                .maxNestingDepth(200)
                .maxStringLength(5_000_000)
                .maxNumberLength(100)
                .maxNameLength(10_000)
                .maxDocumentLength(-1) // bounded by maxBodyBytes instead
                .build();

        private static final Options DEFAULTS = new Options(Duration.ofSeconds(30), 10, Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(30), List.of(), 10L * 1024 * 1024, Duration.ofMinutes(5),
                null, null, Clock.systemUTC(), null);

        private final Duration requestInterval;
        private final int exceptionThreshold;
        private final Duration connectTimeout;
        private final Duration readTimeout;
        private final Duration callTimeout;
        private final List<Header> headers;
        private final long maxBodyBytes;
        private final Duration maxRetryAfter;
        private final OkHttpClient client;
        private final ObjectMapper objectMapper;
        private final Clock clock;
        private final ScheduledExecutorService scheduler;

        private Options(Duration requestInterval, int exceptionThreshold, Duration connectTimeout,
                Duration readTimeout, Duration callTimeout, List<Header> headers, long maxBodyBytes,
                Duration maxRetryAfter, OkHttpClient client, ObjectMapper objectMapper, Clock clock,
                ScheduledExecutorService scheduler) {
            this.requestInterval = requestInterval;
            this.exceptionThreshold = exceptionThreshold;
            this.connectTimeout = connectTimeout;
            this.readTimeout = readTimeout;
            this.callTimeout = callTimeout;
            this.headers = headers;
            this.maxBodyBytes = maxBodyBytes;
            this.maxRetryAfter = maxRetryAfter;
            this.client = client;
            this.objectMapper = objectMapper;
            this.clock = clock;
            this.scheduler = scheduler;
        }

        /**
         * Poll every 30 s; fail after 10 consecutive failures; connect and read timeouts 10 s, call timeout 30 s;
         * bodies up to 10 MiB; {@code Retry-After} honoured up to 5 min; a shared client, object mapper and daemon
         * scheduler; the system UTC clock.
         */
        public static Options defaults() {
            return DEFAULTS;
        }

        /** The time between planned polls. Default 30 s. */
        public Options withRequestInterval(Duration requestInterval) {
            return new Options(Checks.positive(requestInterval, "requestInterval"), exceptionThreshold, connectTimeout,
                    readTimeout, callTimeout, headers, maxBodyBytes, maxRetryAfter, client, objectMapper, clock,
                    scheduler);
        }

        /** How many consecutive failed polls fail the source. Default 10. */
        public Options withExceptionThreshold(int exceptionThreshold) {
            if (exceptionThreshold < 1) {
                throw new IllegalArgumentException("exceptionThreshold < 1: " + exceptionThreshold);
            }
            return new Options(requestInterval, exceptionThreshold, connectTimeout, readTimeout, callTimeout, headers,
                    maxBodyBytes, maxRetryAfter, client, objectMapper, clock, scheduler);
        }

        /** The TCP (and TLS) connect timeout. Default 10 s. */
        public Options withConnectTimeout(Duration connectTimeout) {
            return new Options(requestInterval, exceptionThreshold, Checks.positive(connectTimeout, "connectTimeout"),
                    readTimeout, callTimeout, headers, maxBodyBytes, maxRetryAfter, client, objectMapper, clock,
                    scheduler);
        }

        /** The longest wait for the next bytes of a response. Default 10 s. */
        public Options withReadTimeout(Duration readTimeout) {
            return new Options(requestInterval, exceptionThreshold, connectTimeout,
                    Checks.positive(readTimeout, "readTimeout"), callTimeout, headers, maxBodyBytes, maxRetryAfter,
                    client, objectMapper, clock, scheduler);
        }

        /** The limit on a whole poll, from connecting to reading the body. Default 30 s. */
        public Options withCallTimeout(Duration callTimeout) {
            return new Options(requestInterval, exceptionThreshold, connectTimeout, readTimeout,
                    Checks.positive(callTimeout, "callTimeout"), headers, maxBodyBytes, maxRetryAfter, client,
                    objectMapper, clock, scheduler);
        }

        /**
         * Adds a request header (an API key, for instance). Header values never appear in logs, exception
         * messages or {@link #toString()}.
         */
        public Options withHeader(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            try {
                new Headers.Builder().add(name, value);
            } catch (IllegalArgumentException e) {
                // OkHttp's message may quote the value, which may be a secret: name the header only.
                throw new IllegalArgumentException("invalid header name or value for header '"
                        + name.replaceAll("[^\\x21-\\x7e]", "?") + "'");
            }
            List<Header> list = new ArrayList<>(headers);
            list.add(new Header(name, value));
            return new Options(requestInterval, exceptionThreshold, connectTimeout, readTimeout, callTimeout,
                    List.copyOf(list), maxBodyBytes, maxRetryAfter, client, objectMapper, clock, scheduler);
        }

        /** The largest accepted response body. Default 10 MiB. */
        public Options withMaxBodyBytes(long maxBodyBytes) {
            return new Options(requestInterval, exceptionThreshold, connectTimeout, readTimeout, callTimeout, headers,
                    Checks.nonNegative(maxBodyBytes, "maxBodyBytes"), maxRetryAfter, client, objectMapper, clock,
                    scheduler);
        }

        /** The longest {@code Retry-After} honoured; longer ones are cut to this. Default 5 min. */
        public Options withMaxRetryAfter(Duration maxRetryAfter) {
            return new Options(requestInterval, exceptionThreshold, connectTimeout, readTimeout, callTimeout, headers,
                    maxBodyBytes, Checks.nonNegative(maxRetryAfter, "maxRetryAfter"), client, objectMapper, clock,
                    scheduler);
        }

        /**
         * The client to derive the source's client from (with {@code newBuilder()}, so connection pool and
         * dispatcher are shared, and this source's timeouts applied). Default: one client shared by the JVM.
         */
        public Options withClient(OkHttpClient client) {
            return new Options(requestInterval, exceptionThreshold, connectTimeout, readTimeout, callTimeout, headers,
                    maxBodyBytes, maxRetryAfter, Objects.requireNonNull(client, "client"), objectMapper, clock,
                    scheduler);
        }

        /**
         * The mapper the default {@link RestSource#parse(byte[])} uses. Its factory's read constraints apply as
         * they are. Default: a mapper with {@link #DEFAULT_READ_CONSTRAINTS}.
         */
        public Options withObjectMapper(ObjectMapper objectMapper) {
            return new Options(requestInterval, exceptionThreshold, connectTimeout, readTimeout, callTimeout, headers,
                    maxBodyBytes, maxRetryAfter, client, Objects.requireNonNull(objectMapper, "objectMapper"), clock,
                    scheduler);
        }

        /** The clock that stamps {@link Poll#time()} and reads HTTP-date {@code Retry-After}. Default UTC. */
        public Options withClock(Clock clock) {
            return new Options(requestInterval, exceptionThreshold, connectTimeout, readTimeout, callTimeout, headers,
                    maxBodyBytes, maxRetryAfter, client, objectMapper, Objects.requireNonNull(clock, "clock"),
                    scheduler);
        }

        /**
         * The scheduler that plans polls (it is not shut down by the source). Default: a daemon scheduler shared
         * by every source, whose thread ends when no poll has been pending for a few seconds.
         */
        public Options withScheduler(ScheduledExecutorService scheduler) {
            return new Options(requestInterval, exceptionThreshold, connectTimeout, readTimeout, callTimeout, headers,
                    maxBodyBytes, maxRetryAfter, client, objectMapper, clock,
                    Objects.requireNonNull(scheduler, "scheduler"));
        }

        /** The time between planned polls. */
        public Duration requestInterval() {
            return requestInterval;
        }

        /** How many consecutive failed polls fail the source. */
        public int exceptionThreshold() {
            return exceptionThreshold;
        }

        /** The connect timeout. */
        public Duration connectTimeout() {
            return connectTimeout;
        }

        /** The read timeout. */
        public Duration readTimeout() {
            return readTimeout;
        }

        /** The whole-call timeout. */
        public Duration callTimeout() {
            return callTimeout;
        }

        /** The names of the added request headers, in order (values are not exposed). */
        public List<String> headerNames() {
            return headers.stream().map(Header::name).toList();
        }

        /** The largest accepted response body, in bytes. */
        public long maxBodyBytes() {
            return maxBodyBytes;
        }

        /** The longest honoured {@code Retry-After}. */
        public Duration maxRetryAfter() {
            return maxRetryAfter;
        }

        /** The configured client, or the shared default. */
        public OkHttpClient client() {
            return client != null ? client : RestDefaults.client();
        }

        /** The configured mapper, or the default one with {@link #DEFAULT_READ_CONSTRAINTS}. */
        public ObjectMapper objectMapper() {
            return objectMapper != null ? objectMapper : DefaultMapper.INSTANCE;
        }

        /** The clock stamping {@link Poll#time()}. */
        public Clock clock() {
            return clock;
        }

        /** The configured scheduler, or {@code null} for the shared default. */
        public ScheduledExecutorService scheduler() {
            return scheduler;
        }

        @Override
        public String toString() {
            return "RestSource.Options[requestInterval=" + requestInterval + ", exceptionThreshold="
                    + exceptionThreshold + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
                    + ", callTimeout=" + callTimeout + ", headers=" + headerNames() + ", maxBodyBytes="
                    + maxBodyBytes + ", maxRetryAfter=" + maxRetryAfter + "]";
        }

        private static final class DefaultMapper {
            static final ObjectMapper INSTANCE = JsonMappers.bounded(DEFAULT_READ_CONSTRAINTS);
        }
    }
}
