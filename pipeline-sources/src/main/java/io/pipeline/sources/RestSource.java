package io.pipeline.sources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.RecoveredFailure;
import io.pipeline.core.Source;
import io.pipeline.core.SourceCounter;
import io.pipeline.core.SourceMetrics;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
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
 * The first request is sent when the source starts (or at a random moment within
 * {@link Options#withStartSpread start spread} of it), then one every {@link Options#requestInterval()} at a fixed
 * rate: each poll is planned at the previous planned time plus the interval, so delays do not accumulate. Requests
 * never overlap: when a response takes longer than the interval, the next request is sent as soon as it has been
 * handled and the schedule restarts from that moment. Requests are asynchronous OkHttp calls; no thread is held
 * per source while waiting. The schedule reads time only from {@link Options#clock()} and waits only on
 * {@link Options#scheduler()}, so a test with a manual clock and scheduler runs an hour of polls in virtual time
 * (OkHttp's own connect, read and call timeouts still run on OkHttp's clock).
 *
 * <h2>Failures and the threshold</h2>
 * A connection failure, a timeout, a non-2xx status, a truncated or oversized body, or a body that is not valid
 * JSON is a failed poll. Each one is counted, logged as one line at WARN (the stack trace at DEBUG), and emitted as
 * {@link #ERROR} with a {@link RecoveredFailure} whose cause is a {@link PollException} naming the redacted URL,
 * the status (if any) and what went wrong — never a header value. A {@code RecoveredFailure} that nobody listens
 * to is not an uncaught error: the source has handled the failure itself, so it never fails the manager, whether
 * or not anyone listens to {@code ERROR}. A successful response (including {@code 304 Not Modified}) resets the
 * count. When {@link Options#exceptionThreshold()} polls fail in a row, the source emits that last one the same
 * way, stops polling and completes its future exceptionally with a {@link FailureThresholdException} whose cause
 * is the last failure, so a {@code Flow} restarts its manager (aiopype's {@code exception_threshold}).
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
 * <h2>Many sources</h2>
 * The default client is shared by every source in the JVM, allows 64 concurrent requests per host (OkHttp's own
 * default is 5, which would queue the polls of many sources behind each other) and keeps up to 64 idle
 * connections. A client given with
 * {@link Options#withClient} keeps its own dispatcher limits: raise its {@code maxRequestsPerHost} when many
 * sources poll one host. When many sources start at once, {@link Options#withStartSpread} spreads their first polls
 * (and so their phases) over the interval.
 *
 * <h2>Lifecycle and threads</h2>
 * NEW → RUNNING ({@link #start()}) → DONE (stopped, or failed at the threshold). {@link #stop()} cancels the
 * scheduled poll and the call in flight, and completes the future normally; once it has returned no new emission
 * begins (one that was already being delivered on another thread may finish). Requests are built on the
 * scheduler's thread; {@link #parse(byte[])} runs and {@code DATA}/{@code ERROR} are emitted on an OkHttp
 * dispatcher thread, one poll at a time. Subclasses may override {@link #buildRequest()}, {@link #parse(byte[])}
 * and the stall watchdog's {@link #expectedInterval()} and {@link #restartWhenStalled()}; everything else is final.
 * This class is thread-safe.
 *
 * <h2>Metrics and logs</h2>
 * The source counts {@link #POLLS}, {@link #SUCCESSES}, {@link #NOT_MODIFIED} and {@link #FAILURES}, reported in
 * {@code Flow.metrics()}; it expects data every request interval, so a flow's stall watchdog finds it stalled when
 * polls keep failing or answering {@code 304}. While it logs and emits a failed poll, SLF4J's MDC holds
 * {@code pipeline.flow}, {@code pipeline.manager} and {@code pipeline.processor}.
 */
public class RestSource extends Source {
    /** Emitted with every successful (2xx) response. */
    public static final Event<Poll> DATA = Event.of("data", Poll.class);
    /**
     * {@link SourceMetrics#counter(String) Counter} of polls answered or failed: each is also counted as one of
     * {@link #SUCCESSES}, {@link #NOT_MODIFIED} or {@link #FAILURES} (a poll cancelled by {@link #stop()} is none).
     */
    public static final String POLLS = "polls";
    /** Counter of polls answered with a 2xx response and a valid body (each emitted as {@link #DATA}). */
    public static final String SUCCESSES = "successes";
    /** Counter of failed polls (each emitted as {@link #ERROR}), whether or not the threshold was reached. */
    public static final String FAILURES = "failures";
    /** Counter of polls answered {@code 304 Not Modified}. */
    public static final String NOT_MODIFIED = "not-modified";

    private final String redactedUrl;
    private final Options options;
    private final OkHttpClient client;
    private final ScheduledExecutorService scheduler;
    private final PollSchedule schedule;
    private final FailureCounter failures;
    private final FailureLog log;
    private final SourceCounter polls;
    private final SourceCounter successes;
    private final SourceCounter failureCount;
    private final SourceCounter notModified;
    private final AtomicBoolean started = new AtomicBoolean();
    private final Object lock = new Object();
    private Call inFlight; // guarded by lock
    private ScheduledFuture<?> pending; // guarded by lock
    private volatile String etag;
    private volatile String lastModified;
    // Per-poll work done once: a poll reuses these instead of allocating them (docs/BENCHMARKS.md "Many pipelines").
    /** The default request without validators, built once. */
    private final Request plainRequest;
    /** The default request with the validators it was last built for, or null; rebuilt when they change. */
    private volatile ConditionalRequest conditionalRequest;
    /** The scheduled task of every poll. */
    private final Runnable pollTask = this::pollSafely;
    /** The callback of every call: calls never overlap, and all it needs is in the source. */
    private final Callback callback = new PollCallback();
    private final Optional<Duration> expectedInterval;

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
        this.redactedUrl = Urls.redact(parsed);
        this.client = RestDefaults.withTimeouts(options.client(), options.connectTimeout(), options.readTimeout(),
                options.callTimeout());
        this.scheduler = options.scheduler();
        this.schedule = new PollSchedule(options.requestInterval());
        this.failures = new FailureCounter(options.exceptionThreshold());
        this.log = new FailureLog(RestSource.class, this);
        this.polls = counter(POLLS);
        this.successes = counter(SUCCESSES);
        this.failureCount = counter(FAILURES);
        this.notModified = counter(NOT_MODIFIED);
        this.expectedInterval = Optional.of(options.requestInterval());
        this.plainRequest = plainRequest(parsed, options.headers());
    }

    /** The default request without validators: the URL, {@code Accept: application/json}, the options' headers. */
    private static Request plainRequest(HttpUrl url, Headers headers) {
        Request.Builder builder = new Request.Builder().url(url).get().header("Accept", "application/json");
        for (int i = 0; i < headers.size(); i++) {
            builder.header(headers.name(i), headers.value(i));
        }
        return builder.build();
    }

    /** The default request for one pair of validators (either may be null, not both). */
    private record ConditionalRequest(String etag, String lastModified, Request request) {
        boolean isFor(String tag, String modified) {
            return Objects.equals(etag, tag) && Objects.equals(lastModified, modified);
        }
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
        // Requests are immutable: the default one is built once, and again only when the validators change.
        String tag = etag;
        String modified = lastModified;
        if (tag == null && modified == null) {
            return plainRequest;
        }
        ConditionalRequest cached = conditionalRequest;
        if (cached != null && cached.isFor(tag, modified)) {
            return cached.request();
        }
        Request.Builder builder = plainRequest.newBuilder();
        if (tag != null) {
            builder.header("If-None-Match", tag);
        }
        if (modified != null) {
            builder.header("If-Modified-Since", modified);
        }
        Request request = builder.build();
        conditionalRequest = new ConditionalRequest(tag, modified, request);
        return request;
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
        JsonNode node = options.reader().readTree(body);
        return node == null ? MissingNode.getInstance() : node;
    }

    /**
     * Starts polling: the first request goes out at once on the scheduler, or within the start spread.
     *
     * @return a future completed normally by {@link #stop()} and exceptionally with a
     *     {@link FailureThresholdException} when too many polls failed in a row
     * @throws IllegalStateException if already started
     */
    @Override
    public final CompletableFuture<Void> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("RestSource '" + name() + "' already started");
        }
        completion().whenComplete((ignored, failure) -> cancelWork());
        long spread = Durations.nanos(options.startSpread());
        long offset = spread == 0 ? 0 : (long) (options.random().nextDouble() * spread);
        schedule(schedule.first(nowNanos(), offset));
        return completion();
    }

    /**
     * Cancels the scheduled poll and the call in flight; nothing is emitted after it returns. The future completes
     * normally — at once, or, when a poll's message is still in its listeners on an OkHttp thread, as soon as they
     * return (the stop contract of {@link io.pipeline.core.Source}). Idempotent.
     */
    @Override
    public final void stop() {
        super.stop();
        cancelWork();
    }

    /**
     * The {@link Options#requestInterval() request interval}: the flow's stall watchdog reports this source when
     * no {@link #DATA} has been emitted for a multiple of it — also when every poll is answered {@code 304}.
     */
    @Override
    public Optional<Duration> expectedInterval() {
        return expectedInterval;
    }

    /** Whether the flow restarts this source when it stalls ({@link Options#withRestartWhenStalled}). */
    @Override
    public boolean restartWhenStalled() {
        return options.restartWhenStalled();
    }

    /** The number of failed polls since the last success. */
    public final int consecutiveFailures() {
        return failures.consecutive();
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

    private long nowNanos() {
        Instant now = options.clock().instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
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
        RejectedExecutionException rejected = null;
        synchronized (lock) {
            if (completion().isDone() || isStopped()) {
                return;
            }
            try {
                pending = scheduler.schedule(pollTask, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                rejected = e;
            }
        }
        if (rejected != null) {
            fail(new IllegalStateException("RestSource '" + name() + "' cannot schedule its next poll of "
                    + redactedUrl + ": scheduler rejected it", rejected));
        }
    }

    /** The scheduled task: nothing thrown in it is swallowed by the scheduler's future. */
    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException | Error e) {
            fail(new IllegalStateException("RestSource '" + name() + "' failed to poll " + redactedUrl + ": " + e, e));
            if (e instanceof VirtualMachineError error) {
                throw error;
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
            if (completion().isDone() || isStopped()) {
                return;
            }
            pending = null;
            inFlight = call;
        }
        call.enqueue(callback);
    }

    /** The outcome of every call of this source; OkHttp runs it on a dispatcher thread, one call at a time. */
    private final class PollCallback implements Callback {
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

    /**
     * Handles the outcome of one poll and plans the next. Runs on an OkHttp or the scheduler's thread, as the
     * source's emitting work ({@link #beginEmitting()}): once {@link #stop()} was called nothing more is emitted,
     * and while a poll's {@code DATA} or {@code ERROR} is still in its listeners the future stays incomplete, so
     * that a flow's close waits for it before closing resources.
     */
    private void finish(Outcome outcome) {
        synchronized (lock) {
            inFlight = null;
        }
        if (!beginEmitting()) {
            return;
        }
        try {
            handleOutcome(outcome);
        } finally {
            endEmitting();
        }
    }

    private void handleOutcome(Outcome outcome) {
        Duration retryAfter = null;
        polls.increment();
        try {
            if (outcome instanceof Outcome.Data data) {
                successes.increment();
                failures.reset();
                emit(DATA, data.poll());
            } else if (outcome instanceof Outcome.NotModified) {
                notModified.increment();
                failures.reset();
            } else if (outcome instanceof Outcome.Failed failed) {
                if (!failed(failed.failure())) {
                    return;
                }
                retryAfter = failed.retryAfter();
            }
        } catch (RuntimeException | Error e) {
            // The handler refused the message (closed, or full under Overflow.FAIL), or an Error escaped a listener
            // under a SyncDispatcher: nothing more can be delivered, and the source must not hang unscheduled.
            if (!completion().isDone()) {
                fail(e);
            }
            if (e instanceof VirtualMachineError error) {
                throw error;
            }
            return;
        }
        schedule(schedule.next(nowNanos(), retryAfter));
    }

    /** Counts, logs and emits one failed poll; returns false when it reached the threshold and failed the source. */
    private boolean failed(PollException failure) {
        failureCount.increment();
        try (FailureLog.Context ignored = log.context()) {
            return report(failure);
        }
    }

    private boolean report(PollException failure) {
        int count = failures.record(failure);
        int threshold = failures.threshold();
        boolean exhausted = failures.exhausted(count);
        log.failure(failure, count, threshold, exhausted ? "giving up" : "retrying");
        emit(ERROR, new RecoveredFailure("poll " + (exhausted ? "failed" : "failed, retrying") + " (" + count + " of "
                + threshold + " in a row): " + failure.getMessage(), failure));
        if (exhausted) {
            fail(new FailureThresholdException(redactedUrl, count, failure));
            return false;
        }
        return true;
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

    private static String describe(IOException e) {
        // Jackson's original message leaves out the location, which would repeat a part of the body.
        return e instanceof JsonProcessingException json ? json.getOriginalMessage() : String.valueOf(e.getMessage());
    }

    /**
     * Immutable polling options: start from {@link #defaults()}; every {@code with…} validates its argument and
     * returns a copy. Accessors never return null: where nothing was configured they return the shared default.
     * Instances are immutable and safe for concurrent use.
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

        private static final Options DEFAULTS = new Options(new Values());

        private final Duration requestInterval;
        private final int exceptionThreshold;
        private final Duration connectTimeout;
        private final Duration readTimeout;
        private final Duration callTimeout;
        private final Headers headers;
        private final long maxBodyBytes;
        private final Duration maxRetryAfter;
        private final Duration startSpread;
        private final OkHttpClient client;
        private final ObjectMapper objectMapper;
        private final ObjectReader reader;
        private final Clock clock;
        private final ScheduledExecutorService scheduler;
        private final RandomGenerator random;
        private final boolean restartWhenStalled;

        /** The mutable copy that {@code with…} changes one field of. */
        private static final class Values {
            Duration requestInterval = Duration.ofSeconds(30);
            int exceptionThreshold = 10;
            Duration connectTimeout = Duration.ofSeconds(10);
            Duration readTimeout = Duration.ofSeconds(10);
            Duration callTimeout = Duration.ofSeconds(30);
            Headers headers = Headers.of();
            long maxBodyBytes = 10L * 1024 * 1024;
            Duration maxRetryAfter = Duration.ofMinutes(5);
            Duration startSpread = Duration.ZERO;
            OkHttpClient client;
            ObjectMapper objectMapper;
            Clock clock = Clock.systemUTC();
            ScheduledExecutorService scheduler;
            RandomGenerator random;
            boolean restartWhenStalled;

            Values() {}

            Values(Options o) {
                requestInterval = o.requestInterval;
                exceptionThreshold = o.exceptionThreshold;
                connectTimeout = o.connectTimeout;
                readTimeout = o.readTimeout;
                callTimeout = o.callTimeout;
                headers = o.headers;
                maxBodyBytes = o.maxBodyBytes;
                maxRetryAfter = o.maxRetryAfter;
                startSpread = o.startSpread;
                client = o.client;
                objectMapper = o.objectMapper;
                clock = o.clock;
                scheduler = o.scheduler;
                random = o.random;
                restartWhenStalled = o.restartWhenStalled;
            }
        }

        private Options(Values v) {
            requestInterval = v.requestInterval;
            exceptionThreshold = v.exceptionThreshold;
            connectTimeout = v.connectTimeout;
            readTimeout = v.readTimeout;
            callTimeout = v.callTimeout;
            headers = v.headers;
            maxBodyBytes = v.maxBodyBytes;
            maxRetryAfter = v.maxRetryAfter;
            startSpread = v.startSpread;
            client = v.client;
            objectMapper = v.objectMapper;
            reader = (objectMapper != null ? objectMapper : DefaultMapper.INSTANCE).reader()
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
            clock = v.clock;
            scheduler = v.scheduler;
            random = v.random;
            restartWhenStalled = v.restartWhenStalled;
        }

        private Options with(Consumer<Values> change) {
            Values values = new Values(this);
            change.accept(values);
            return new Options(values);
        }

        /**
         * Poll every 30 s, the first poll at once; fail after 10 consecutive failures; connect and read timeouts
         * 10 s, call timeout 30 s; bodies up to 10 MiB; {@code Retry-After} honoured up to 5 min; a shared client,
         * object mapper and daemon scheduler; the system UTC clock.
         */
        public static Options defaults() {
            return DEFAULTS;
        }

        /** The time between planned polls. Default 30 s. */
        public Options withRequestInterval(Duration requestInterval) {
            Checks.positive(requestInterval, "requestInterval");
            return with(v -> v.requestInterval = requestInterval);
        }

        /**
         * Whether the flow fails the source when its stall watchdog finds it stalled — no data for a multiple of
         * the request interval — so that the manager restarts. Default {@code false}: the stall is only reported.
         */
        public Options withRestartWhenStalled(boolean restart) {
            return with(v -> v.restartWhenStalled = restart);
        }

        /** Whether a stalled source is failed so that its manager restarts. */
        public boolean restartWhenStalled() {
            return restartWhenStalled;
        }

        /** How many consecutive failed polls fail the source. Default 10. */
        public Options withExceptionThreshold(int exceptionThreshold) {
            if (exceptionThreshold < 1) {
                throw new IllegalArgumentException("exceptionThreshold < 1: " + exceptionThreshold);
            }
            return with(v -> v.exceptionThreshold = exceptionThreshold);
        }

        /** The TCP (and TLS) connect timeout. Default 10 s. */
        public Options withConnectTimeout(Duration connectTimeout) {
            Checks.positive(connectTimeout, "connectTimeout");
            return with(v -> v.connectTimeout = connectTimeout);
        }

        /** The longest wait for the next bytes of a response. Default 10 s. */
        public Options withReadTimeout(Duration readTimeout) {
            Checks.positive(readTimeout, "readTimeout");
            return with(v -> v.readTimeout = readTimeout);
        }

        /** The limit on a whole poll, from connecting to reading the body. Default 30 s. */
        public Options withCallTimeout(Duration callTimeout) {
            Checks.positive(callTimeout, "callTimeout");
            return with(v -> v.callTimeout = callTimeout);
        }

        /**
         * Sends header {@code name: value} with every request, replacing an earlier value of that name (names are
         * case-insensitive) — the same meaning in every source's options. Header values never appear in logs,
         * exception messages or {@link #toString()}.
         *
         * @throws IllegalArgumentException if the name or value is not a valid HTTP header (the message names the
         *     header, never its value)
         */
        public Options withHeader(String name, String value) {
            Headers updated = HeaderValues.set(headers, name, value);
            return with(v -> v.headers = updated);
        }

        /** The largest accepted response body. Default 10 MiB. */
        public Options withMaxBodyBytes(long maxBodyBytes) {
            Checks.nonNegative(maxBodyBytes, "maxBodyBytes");
            return with(v -> v.maxBodyBytes = maxBodyBytes);
        }

        /** The longest {@code Retry-After} honoured; longer ones are cut to this. Default 5 min. */
        public Options withMaxRetryAfter(Duration maxRetryAfter) {
            Checks.nonNegative(maxRetryAfter, "maxRetryAfter");
            return with(v -> v.maxRetryAfter = maxRetryAfter);
        }

        /**
         * Sends the first poll at a random moment within {@code spread} after {@link RestSource#start()} (drawn
         * from {@link #random()}) instead of at once, so that many sources started together do not poll in phase.
         * Set it to the request interval for an even spread. Default zero: the first poll goes out at once.
         */
        public Options withStartSpread(Duration spread) {
            Checks.nonNegative(spread, "startSpread");
            return with(v -> v.startSpread = spread);
        }

        /**
         * The client to derive the source's client from (with {@code newBuilder()}, so connection pool and
         * dispatcher are shared, and this source's timeouts applied). Its dispatcher's limits apply as they are:
         * OkHttp's default of 5 requests per host queues the polls of a sixth source polling the same host.
         * Default: one client shared by the JVM, allowing 64 requests per host.
         */
        public Options withClient(OkHttpClient client) {
            Objects.requireNonNull(client, "client");
            return with(v -> v.client = client);
        }

        /**
         * The mapper the default {@link RestSource#parse(byte[])} uses. Its factory's read constraints apply as
         * they are. Default: a mapper with {@link #DEFAULT_READ_CONSTRAINTS}.
         */
        public Options withObjectMapper(ObjectMapper objectMapper) {
            Objects.requireNonNull(objectMapper, "objectMapper");
            return with(v -> v.objectMapper = objectMapper);
        }

        /**
         * The clock that plans polls, stamps {@link Poll#time()} and reads HTTP-date {@code Retry-After}. Default
         * UTC.
         */
        public Options withClock(Clock clock) {
            Objects.requireNonNull(clock, "clock");
            return with(v -> v.clock = clock);
        }

        /**
         * The scheduler that plans polls (it is not shut down by the source). Default: a daemon scheduler shared
         * by every source, whose thread ends when no poll has been pending for a few seconds.
         */
        public Options withScheduler(ScheduledExecutorService scheduler) {
            Objects.requireNonNull(scheduler, "scheduler");
            return with(v -> v.scheduler = scheduler);
        }

        /** The random source of the {@linkplain #withStartSpread start spread}. Default: a new {@link Random}. */
        public Options withRandom(RandomGenerator random) {
            Objects.requireNonNull(random, "random");
            return with(v -> v.random = random);
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
            return List.copyOf(headers.names());
        }

        /** The added request headers. Their values may be secrets: do not log them. */
        public Headers headers() {
            return headers;
        }

        /** The largest accepted response body, in bytes. */
        public long maxBodyBytes() {
            return maxBodyBytes;
        }

        /** The longest honoured {@code Retry-After}. */
        public Duration maxRetryAfter() {
            return maxRetryAfter;
        }

        /** The window the first poll is spread over; zero when it goes out at once. */
        public Duration startSpread() {
            return startSpread;
        }

        /** The configured client, or the shared default. */
        public OkHttpClient client() {
            return client != null ? client : RestDefaults.client();
        }

        /** The configured mapper, or the default one with {@link #DEFAULT_READ_CONSTRAINTS}. */
        public ObjectMapper objectMapper() {
            return objectMapper != null ? objectMapper : DefaultMapper.INSTANCE;
        }

        /** The clock stamping {@link Poll#time()} and planning polls. */
        public Clock clock() {
            return clock;
        }

        /** The configured scheduler, or the shared default one. */
        public ScheduledExecutorService scheduler() {
            return scheduler != null ? scheduler : RestDefaults.scheduler();
        }

        /** The configured random source, or a new {@link Random} per source start. */
        public RandomGenerator random() {
            return random != null ? random : new Random();
        }

        ObjectReader reader() {
            return reader;
        }

        @Override
        public String toString() {
            return "RestSource.Options[requestInterval=" + requestInterval + ", exceptionThreshold="
                    + exceptionThreshold + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
                    + ", callTimeout=" + callTimeout + ", headers=" + headerNames() + ", maxBodyBytes="
                    + maxBodyBytes + ", maxRetryAfter=" + maxRetryAfter + ", startSpread=" + startSpread
                    + ", restartWhenStalled=" + restartWhenStalled + "]";
        }

        private static final class DefaultMapper {
            static final ObjectMapper INSTANCE = JsonMappers.bounded(DEFAULT_READ_CONSTRAINTS);
        }
    }
}
