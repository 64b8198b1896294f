package io.pipeline.sources.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.pipeline.core.Listener;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.sources.output.SseFrames.Frame;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves the values it is given to browsers as Server-Sent Events, over HTTP on the JDK's own
 * {@link HttpServer}: one JSON document per event, written with the caller's {@link ObjectMapper}.
 *
 * <pre>{@code
 * var live = closeOnStop(new SseOutput(processorName("live"), handler,
 *         SseOutput.Options.defaults().withPort(8080).withMapper(mapper)));
 * live.mount("/", pageHandler);                        // the page and any JSON endpoint, on the same server
 * processor.on(HandleRawData.PRICE, live::send);       // event type "message"
 * analytics.on(Analytics.ALERT, live.sender("alert"));  // event type "alert"
 * // in the browser: new EventSource("/events").addEventListener("alert", e => show(JSON.parse(e.data)))
 * }</pre>
 *
 * <h2>The stream</h2>
 * {@code GET} {@link Options#path()} (default {@code /events}) answers {@code 200 text/event-stream} and then,
 * for each value sent, {@code id: <n>}, {@code event: <type>} (left out for the default type
 * {@value #DEFAULT_TYPE}) and one {@code data:} line of JSON. Ids count up from 1. A stream starts with a
 * {@code retry:} field ({@link Options#retry()}) and a comment, and a comment is sent every
 * {@link Options#heartbeat()} so that proxies do not close an idle stream.
 *
 * <h2>Replay</h2>
 * The last {@link Options#replay()} events are kept. A client that reconnects with {@code Last-Event-ID} (as
 * browsers and {@code SseSource} do) first receives the events it missed, then the live ones, with no gap and no
 * duplicate. If its id is older than the buffer, not a number, or newer than any event sent (it saw an earlier
 * run of the server), it receives the whole buffer. A client without {@code Last-Event-ID} gets live events only.
 *
 * <h2>Slow clients</h2>
 * {@link #send} never blocks and never waits for a client: it encodes the event once and offers it to each
 * client's queue of {@link Options#clientBuffer()} frames. A client whose queue is full, or whose current write
 * has lasted longer than {@link Options#writeTimeout()} (checked at each heartbeat), is dropped — its connection
 * closed, counted in {@link #dropped()} — and the other clients carry on; a browser then reconnects and resumes
 * from the replay buffer. Beyond {@link Options#maxClients()} streams at once, new ones are answered
 * {@code 503} and counted in {@link #rejected()}.
 *
 * <h2>Threads</h2>
 * The server and its threads are this output's own: each open stream holds one thread of the server's pool
 * ({@code pipeline-<name>-http-N}), which also runs {@linkplain #mount mounted handlers}; heartbeats run on
 * {@code pipeline-<name>-sse-heartbeat}. {@link #send} may be called from any thread, concurrently; events are
 * numbered and delivered in the order the calls took the output's lock.
 *
 * <p>Lifecycle: SERVING (constructed: the port is bound) → CLOSED ({@link #close()}: every stream is ended
 * after the events already queued for it — or cut off if the client does not take them within a second —,
 * the server stopped and every thread ended). This class is thread-safe. It emits nothing.
 */
public final class SseOutput extends Processor implements AutoCloseable {
    /** The event type of values {@linkplain #send(Object) sent without a type}, which browsers deliver as {@code onmessage}. */
    public static final String DEFAULT_TYPE = "message";

    private static final long CLOSE_GRACE_MILLIS = 1_000;

    private final Options options;
    private final ObjectWriter writer;
    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService heartbeat;
    private final Set<String> mounted = new java.util.HashSet<>(); // guarded by itself

    private final Object lock = new Object();
    private final SseFrames frames; // guarded by lock
    private final Set<SseClient> clients = new LinkedHashSet<>(); // guarded by lock
    private long lastId; // guarded by lock
    private long connections; // guarded by lock
    private long dropped; // guarded by lock
    private long rejected; // guarded by lock
    private boolean closed; // guarded by lock

    /**
     * Binds {@link Options#host()}:{@link Options#port()} and starts serving {@link Options#path()}.
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public SseOutput(String name, MessageHandler handler, Options options) {
        super(name, handler);
        this.options = Objects.requireNonNull(options, "options");
        this.writer = options.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);
        this.frames = new SseFrames(options.replay());
        this.httpThreads = Executors.newCachedThreadPool(threads("pipeline-" + name + "-http"));
        try {
            this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 0);
        } catch (IOException e) {
            httpThreads.shutdownNow();
            throw new UncheckedIOException("SseOutput '" + name + "' cannot listen on "
                    + options.host().getHostAddress() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        server.setExecutor(httpThreads);
        server.createContext(options.path(), this::serveStream);
        mounted.add(options.path());
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(threads("pipeline-" + name + "-sse-heartbeat"));
        long every = saturatedMillis(options.heartbeat());
        heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
        server.start();
    }

    /**
     * Sends {@code value} as an event of the default type {@value #DEFAULT_TYPE}. Usable as a listener:
     * {@code processor.on(PRICE, output::send)}.
     *
     * @throws IllegalArgumentException if {@code value} cannot be written as JSON
     * @throws IllegalStateException if closed
     */
    public void send(Object value) {
        send(DEFAULT_TYPE, value);
    }

    /**
     * Sends {@code value} as an event of type {@code type} (a browser's
     * {@code addEventListener(type, …)}). Never blocks; clients too slow to take it are dropped.
     *
     * @throws IllegalArgumentException if {@code type} is empty or holds a line break, or {@code value} cannot be
     *     written as JSON
     * @throws IllegalStateException if closed
     */
    public void send(String type, Object value) {
        checkType(type);
        Objects.requireNonNull(value, "value");
        String json;
        try {
            json = writer.writeValueAsString(value); // the caller's mapper: user code, so outside the lock
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
        List<SseClient> slow = new ArrayList<>(0);
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("SseOutput '" + name() + "' is closed");
            }
            Frame frame = SseFrames.event(++lastId, type, json);
            frames.remember(frame);
            for (SseClient client : clients) {
                if (!client.offer(frame)) {
                    slow.add(client);
                }
            }
            forget(slow);
        }
        slow.forEach(SseClient::drop);
    }

    /**
     * A listener that {@linkplain #send(String, Object) sends} each payload as an event of type {@code type}:
     * {@code analytics.on(ALERT, output.sender("alert"))}.
     *
     * @throws IllegalArgumentException if {@code type} is empty or holds a line break
     */
    public <T> Listener<T> sender(String type) {
        checkType(type);
        return payload -> send(type, payload);
    }

    /**
     * Serves {@code path} (and every path under it that no longer mounted path matches) with {@code handler}, on
     * this output's server: the page that opens the stream, a JSON endpoint. The handler runs on the server's
     * threads, one request per thread, and must close each exchange.
     *
     * @throws IllegalArgumentException if {@code path} is already mounted or does not start with {@code /}
     */
    public void mount(String path, HttpHandler handler) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(handler, "handler");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /: " + path);
        }
        synchronized (mounted) {
            if (!mounted.add(path)) {
                throw new IllegalArgumentException("path already mounted: " + path);
            }
        }
        server.createContext(path, handler);
    }

    /** The address served, with the port actually bound (useful with port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The URL of the event stream, e.g. {@code http://127.0.0.1:8080/events}. */
    public URI streamUri() {
        return baseUri().resolve(options.path());
    }

    /** The URL of the server's root, e.g. {@code http://127.0.0.1:8080/}. */
    public URI baseUri() {
        InetSocketAddress address = address();
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + address.getPort() + "/");
    }

    /** The options this output was created with. */
    public Options options() {
        return options;
    }

    /** Streams open now. */
    public int clients() {
        synchronized (lock) {
            return clients.size();
        }
    }

    /** Streams opened since construction. */
    public long connections() {
        synchronized (lock) {
            return connections;
        }
    }

    /** Events sent; also the id of the last one. */
    public long sent() {
        synchronized (lock) {
            return lastId;
        }
    }

    /** Clients dropped for being too slow: a full queue or a write that took too long. */
    public long dropped() {
        synchronized (lock) {
            return dropped;
        }
    }

    /** Streams refused because {@link Options#maxClients()} were open. */
    public long rejected() {
        synchronized (lock) {
            return rejected;
        }
    }

    /**
     * Ends every stream (after the events already queued for it, waiting at most a second in all), stops the
     * server and ends its threads. Later {@link #send} calls throw. Idempotent.
     */
    @Override
    public void close() {
        List<SseClient> open;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(clients);
        }
        heartbeat.shutdownNow();
        for (SseClient client : open) {
            if (!client.end()) {
                client.drop();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_GRACE_MILLIS);
        synchronized (lock) {
            long left;
            while (!clients.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            open = new ArrayList<>(clients);
        }
        open.forEach(SseClient::drop);
        server.stop(0);
        httpThreads.shutdownNow();
        awaitQuietly(heartbeat);
        awaitQuietly(httpThreads);
    }

    @Override
    public String toString() {
        return "SseOutput[" + name() + ", " + streamUri() + "]";
    }

    private void serveStream(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(options.path())) {
            respond(exchange, 404, "no such stream: " + exchange.getRequestURI().getPath());
            return;
        }
        if (!"GET".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "GET");
            respond(exchange, 405, "use GET for the event stream");
            return;
        }
        List<Frame> first = new ArrayList<>();
        if (!options.retry().isZero()) {
            first.add(SseFrames.retry(saturatedMillis(options.retry())));
        }
        first.add(SseFrames.OPENED);
        SseClient client;
        synchronized (lock) {
            if (closed || clients.size() >= options.maxClients()) {
                if (!closed) {
                    rejected++;
                }
                client = null;
            } else {
                client = new SseClient(++connections, options.clientBuffer(), Thread.currentThread());
                first.addAll(frames.after(exchange.getRequestHeaders().getFirst("Last-Event-ID")));
                clients.add(client);
            }
        }
        if (client == null) {
            exchange.getResponseHeaders().set("Retry-After", "5");
            respond(exchange, 503, "too many streams open, or closing");
            return;
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
            exchange.sendResponseHeaders(200, 0);
            client.serve(exchange.getResponseBody(), first);
        } catch (IOException | InterruptedException e) {
            // the client went away, was dropped, or the output closed: nothing to report to anyone
        } finally {
            try {
                exchange.close();
            } catch (RuntimeException ignored) {
                // the connection is already gone
            }
            synchronized (lock) {
                clients.remove(client);
                lock.notifyAll();
            }
            client.finish();
        }
    }

    private void beat() {
        List<SseClient> slow = new ArrayList<>(0);
        long timeout = options.writeTimeout().compareTo(Duration.ofDays(365)) > 0 ? Long.MAX_VALUE / 4
                : options.writeTimeout().toNanos(); // an hour or a century: both mean "never", without overflow
        long deadline = System.nanoTime() - timeout;
        synchronized (lock) {
            for (SseClient client : clients) {
                if (client.writingSince(deadline) || !client.offer(SseFrames.HEARTBEAT)) {
                    slow.add(client);
                }
            }
            forget(slow);
        }
        slow.forEach(SseClient::drop);
    }

    // Requires lock.
    private void forget(List<SseClient> slow) {
        for (SseClient client : slow) {
            if (clients.remove(client)) {
                dropped++;
            }
        }
        if (!slow.isEmpty()) {
            lock.notifyAll();
        }
    }

    /** {@code duration} in milliseconds, {@link Long#MAX_VALUE} when it does not fit. */
    private static long saturatedMillis(Duration duration) {
        try {
            return duration.toMillis();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        try (exchange) {
            byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void checkType(String type) {
        Objects.requireNonNull(type, "type");
        if (type.isEmpty() || type.indexOf('\n') >= 0 || type.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("event type must be non-empty, on one line: \"" + type + "\"");
        }
    }

    private static void awaitQuietly(ExecutorService executor) {
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory threads(String prefix) {
        AtomicInteger ids = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-" + ids.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Where and how an {@link SseOutput} serves. Start from {@link #defaults()} and change values with the
     * {@code with…} methods, which return a copy. Instances are immutable and safe for concurrent use.
     */
    public static final class Options {
        private final InetAddress host;
        private final int port;
        private final String path;
        private final ObjectMapper mapper;
        private final int replay;
        private final int clientBuffer;
        private final int maxClients;
        private final Duration heartbeat;
        private final Duration writeTimeout;
        private final Duration retry;

        private Options(InetAddress host, int port, String path, ObjectMapper mapper, int replay, int clientBuffer,
                        int maxClients, Duration heartbeat, Duration writeTimeout, Duration retry) {
            this.host = host;
            this.port = port;
            this.path = path;
            this.mapper = mapper;
            this.replay = replay;
            this.clientBuffer = clientBuffer;
            this.maxClients = maxClients;
            this.heartbeat = heartbeat;
            this.writeTimeout = writeTimeout;
            this.retry = retry;
        }

        /**
         * The loopback address on a free port, path {@code /events}, a mapper writing {@code java.time} values
         * as ISO-8601 strings, a replay buffer of 1000 events, 1000 frames queued per client, at most 500
         * streams, a heartbeat every 15 s, a 30 s write timeout, and {@code retry: 3000}.
         */
        public static Options defaults() {
            return new Options(InetAddress.getLoopbackAddress(), 0, "/events", IsoTimeMapper.create(), 1000, 1000,
                    500, Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(3));
        }

        /** Listens on {@code host}; {@code InetAddress.getByName("0.0.0.0")} for every interface. */
        public Options withHost(InetAddress host) {
            return new Options(Objects.requireNonNull(host, "host"), port, path, mapper, replay, clientBuffer,
                    maxClients, heartbeat, writeTimeout, retry);
        }

        /**
         * Listens on {@code port}; 0 picks a free one (see {@link SseOutput#address()}).
         *
         * @throws IllegalArgumentException if not within 0..65535
         */
        public Options withPort(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port not within 0..65535: " + port);
            }
            return new Options(host, port, path, mapper, replay, clientBuffer, maxClients, heartbeat, writeTimeout,
                    retry);
        }

        /**
         * Serves the stream at {@code path}.
         *
         * @throws IllegalArgumentException if it does not start with {@code /}
         */
        public Options withPath(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path must start with /: " + path);
            }
            return new Options(host, port, path, mapper, replay, clientBuffer, maxClients, heartbeat, writeTimeout,
                    retry);
        }

        /** Writes values with {@code mapper} (its modules and settings apply, except indentation). */
        public Options withMapper(ObjectMapper mapper) {
            return new Options(host, port, path, Objects.requireNonNull(mapper, "mapper"), replay, clientBuffer,
                    maxClients, heartbeat, writeTimeout, retry);
        }

        /**
         * Keeps the last {@code events} events for clients that reconnect; 0 keeps none.
         *
         * @throws IllegalArgumentException if negative
         */
        public Options withReplay(int events) {
            if (events < 0) {
                throw new IllegalArgumentException("replay < 0: " + events);
            }
            return new Options(host, port, path, mapper, events, clientBuffer, maxClients, heartbeat, writeTimeout,
                    retry);
        }

        /**
         * Queues at most {@code frames} events and heartbeats per client; a client with a full queue is dropped.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Options withClientBuffer(int frames) {
            if (frames <= 0) {
                throw new IllegalArgumentException("clientBuffer <= 0: " + frames);
            }
            return new Options(host, port, path, mapper, replay, frames, maxClients, heartbeat, writeTimeout, retry);
        }

        /**
         * Serves at most {@code clients} streams at once (each holds a thread); further ones get {@code 503}.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Options withMaxClients(int clients) {
            if (clients <= 0) {
                throw new IllegalArgumentException("maxClients <= 0: " + clients);
            }
            return new Options(host, port, path, mapper, replay, clientBuffer, clients, heartbeat, writeTimeout,
                    retry);
        }

        /**
         * Sends a comment on every stream this often, and checks for writes that have hung.
         *
         * @throws IllegalArgumentException if not positive, or under a millisecond
         */
        public Options withHeartbeat(Duration every) {
            Objects.requireNonNull(every, "every");
            if (every.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException("heartbeat must be at least 1 ms: " + every);
            }
            return new Options(host, port, path, mapper, replay, clientBuffer, maxClients, every, writeTimeout,
                    retry);
        }

        /**
         * Drops a client whose write has not completed after {@code timeout} (a stalled reader).
         *
         * @throws IllegalArgumentException if not positive
         */
        public Options withWriteTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("writeTimeout must be positive: " + timeout);
            }
            return new Options(host, port, path, mapper, replay, clientBuffer, maxClients, heartbeat, timeout,
                    retry);
        }

        /**
         * Tells browsers to wait {@code delay} before they reconnect ({@code retry:}); {@link Duration#ZERO} sends
         * no {@code retry:} field.
         *
         * @throws IllegalArgumentException if negative
         */
        public Options withRetry(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("retry < 0: " + delay);
            }
            return new Options(host, port, path, mapper, replay, clientBuffer, maxClients, heartbeat, writeTimeout,
                    delay);
        }

        /** The address listened on. */
        public InetAddress host() {
            return host;
        }

        /** The port asked for; 0 for any free one. */
        public int port() {
            return port;
        }

        /** The path of the event stream. */
        public String path() {
            return path;
        }

        /** The mapper values are written with. */
        public ObjectMapper mapper() {
            return mapper;
        }

        /** Events kept for replay. */
        public int replay() {
            return replay;
        }

        /** Frames queued per client at most. */
        public int clientBuffer() {
            return clientBuffer;
        }

        /** Streams served at once at most. */
        public int maxClients() {
            return maxClients;
        }

        /** Time between heartbeat comments. */
        public Duration heartbeat() {
            return heartbeat;
        }

        /** The longest a write to one client may take. */
        public Duration writeTimeout() {
            return writeTimeout;
        }

        /** The reconnect delay sent as {@code retry:}; zero for none. */
        public Duration retry() {
            return retry;
        }
    }
}
