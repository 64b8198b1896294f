package io.pipeline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;
import mockwebserver3.RecordedRequest;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;

/**
 * A JSON HTTP endpoint on a loopback port that answers each request with the next scripted {@link HttpReply}, in
 * order — for testing a {@code RestSource} (or a subclass of yours) without a real server. It runs on OkHttp's
 * {@code mockwebserver3}.
 *
 * <pre>{@code
 * try (ScriptedHttpEndpoint endpoint = ScriptedHttpEndpoint.start()) {
 *     endpoint.reply(HttpReply.json("{\"price\":1}"), HttpReply.status(500),
 *             HttpReply.retryAfter(429, Duration.ofSeconds(30)), HttpReply.malformed());
 *     var source = new RestSource("quotes", handler, endpoint.url("/quote"), RestSource.Options.defaults()
 *             .withClient(endpoint.client(time)).withClock(time).withScheduler(time));
 *     ...
 * }
 * }</pre>
 *
 * <p>When the script is used up, replies come from {@link #otherwise(IntFunction)} — by default a {@code 404}
 * naming the request number, so an unexpected request shows in the test's failure.
 *
 * <h2>Virtual time</h2>
 * {@link #client(VirtualTime)} gives an OkHttp client whose calls run on the virtual time's executor: a poll a
 * {@code RestSource} sends at a virtual instant is executed, answered and handled on the test's thread within the
 * same {@code advance}, so a whole day of polls runs deterministically in a fraction of a second. The network
 * itself stays real: the loopback round trip, and OkHttp's connect, read and call timeouts, take wall time.
 *
 * <p>This class is thread-safe: the server answers on its own threads while the test scripts and reads.
 * {@link #close()} shuts the server down and evicts the connections of the clients it made.
 */
public final class ScriptedHttpEndpoint implements AutoCloseable {
    private final LoopbackServer server = new LoopbackServer("scripted HTTP endpoint", n -> HttpReply.json(404,
            "{\"error\":\"no scripted reply for request " + n + "\"}").response());
    private final Map<VirtualTime, OkHttpClient> clients = Collections.synchronizedMap(new IdentityHashMap<>());

    private ScriptedHttpEndpoint() {
    }

    /**
     * Starts an endpoint on an ephemeral loopback port.
     *
     * @throws UncheckedIOException if the server cannot bind
     */
    public static ScriptedHttpEndpoint start() {
        return new ScriptedHttpEndpoint();
    }

    /**
     * A URL on a loopback port nobody listens on: connecting to it is refused. The port was free a moment ago;
     * another process could take it, which on loopback in a test run is unlikely.
     */
    public static String refusedUrl(String path) {
        Objects.requireNonNull(path, "path");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port
                + (path.startsWith("/") ? path : "/" + path);
    }

    /** The URL of {@code path} (with its query, if any) on this endpoint. */
    public String url(String path) {
        return server.url(path);
    }

    /** Appends {@code replies} to the script; each answers one request, in order. */
    public ScriptedHttpEndpoint reply(HttpReply... replies) {
        for (HttpReply reply : replies) {
            Objects.requireNonNull(reply, "reply");
        }
        for (HttpReply reply : replies) {
            server.enqueue(reply.response());
        }
        return this;
    }

    /**
     * Appends {@code reply} {@code times} times.
     *
     * @throws IllegalArgumentException if {@code times} is negative
     */
    public ScriptedHttpEndpoint replyTimes(int times, HttpReply reply) {
        Objects.requireNonNull(reply, "reply");
        if (times < 0) {
            throw new IllegalArgumentException("times < 0: " + times);
        }
        for (int i = 0; i < times; i++) {
            server.enqueue(reply.response());
        }
        return this;
    }

    /**
     * Answers requests once the script is used up: {@code replies} gets the request's number (1 for the first
     * request this endpoint received) and returns the reply. It runs on a server thread and must not block.
     */
    public ScriptedHttpEndpoint otherwise(IntFunction<HttpReply> replies) {
        Objects.requireNonNull(replies, "replies");
        server.otherwise(n -> Objects.requireNonNull(replies.apply(n), "otherwise() returned null for request " + n)
                .response());
        return this;
    }

    /**
     * Answers requests once the script is used up by what {@code replies} makes of each request — its path, say,
     * when several sources poll one endpoint. It runs on a server thread and must not block.
     */
    public ScriptedHttpEndpoint otherwiseByRequest(Function<? super RecordedRequest, HttpReply> replies) {
        Objects.requireNonNull(replies, "replies");
        server.otherwise((number, request) -> Objects.requireNonNull(replies.apply(request),
                "otherwiseByRequest() returned null for request " + number + ": " + request.getTarget()).response());
        return this;
    }

    /** How many scripted replies are left. */
    public int scriptLeft() {
        return server.scriptLeft();
    }

    /** How many requests have been received. */
    public int requestCount() {
        return server.answered();
    }

    /** Every request received so far, in order. */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    /**
     * Waits until the {@code number}th request (1 for the first) has arrived, and returns it.
     *
     * @throws AssertionError if it has not arrived within {@code timeout}
     */
    public RecordedRequest awaitRequest(int number, Duration timeout) throws InterruptedException {
        return server.awaitRequest(number, timeout);
    }

    /**
     * An OkHttp client whose calls run on {@code time}'s executor, so they run on the thread that advances time
     * (see the class comment). Give it to {@code RestSource.Options.withClient}; the source derives its own client
     * from it, sharing this executor. Every call with the same {@code time} returns the same client, so sources
     * rebuilt by a flow's restarts share its connection pool. It speaks cleartext HTTP only, as the endpoint does.
     */
    public OkHttpClient client(VirtualTime time) {
        Objects.requireNonNull(time, "time");
        // One client per virtual time, so a source rebuilt by its flow reuses the pooled connection. Cleartext
        // only: the endpoint speaks plain HTTP, and a client without TLS specs skips loading the platform's trust
        // store and SSL context on every build.
        return clients.computeIfAbsent(time, t -> new OkHttpClient.Builder().dispatcher(new okhttp3.Dispatcher(t))
                .connectionSpecs(List.of(ConnectionSpec.CLEARTEXT)).build());
    }

    /** Shuts the server down and closes the pooled connections of the clients made by {@link #client}. */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            List<OkHttpClient> made;
            synchronized (clients) {
                made = List.copyOf(clients.values());
            }
            for (OkHttpClient client : made) {
                client.connectionPool().evictAll();
            }
        }
    }

    @Override
    public String toString() {
        return "ScriptedHttpEndpoint[" + server + "]";
    }
}
