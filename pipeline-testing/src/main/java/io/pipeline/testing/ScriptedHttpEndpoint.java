package io.pipeline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
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
    private final MockWebServer server = new MockWebServer();
    private final Object lock = new Object();
    private final ArrayDeque<HttpReply> script = new ArrayDeque<>(); // guarded by lock
    private IntFunction<HttpReply> otherwise = n -> HttpReply.json(404,
            "{\"error\":\"no scripted reply for request " + n + "\"}"); // guarded by lock
    private int answered; // guarded by lock
    private final Recording<RecordedRequest> requests = new Recording<>("request(s)");
    private final List<OkHttpClient> clients = new CopyOnWriteArrayList<>();

    private ScriptedHttpEndpoint() {
        server.setServerSocketFactory(NoDelayServerSockets.INSTANCE);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
    }

    /**
     * Starts an endpoint on an ephemeral loopback port.
     *
     * @throws UncheckedIOException if the server cannot bind
     */
    public static ScriptedHttpEndpoint start() {
        ScriptedHttpEndpoint endpoint = new ScriptedHttpEndpoint();
        try {
            endpoint.server.start(InetAddress.getLoopbackAddress(), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the scripted endpoint on loopback", e);
        }
        return endpoint;
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
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port + withSlash(path);
    }

    /** The URL of {@code path} (with its query, if any) on this endpoint. */
    public String url(String path) {
        Objects.requireNonNull(path, "path");
        return server.url(withSlash(path)).toString();
    }

    private static String withSlash(String path) {
        return path.startsWith("/") ? path : "/" + path;
    }

    /** Appends {@code replies} to the script; each answers one request, in order. */
    public ScriptedHttpEndpoint reply(HttpReply... replies) {
        List<HttpReply> list = new ArrayList<>(replies.length);
        for (HttpReply reply : replies) {
            list.add(Objects.requireNonNull(reply, "reply"));
        }
        synchronized (lock) {
            script.addAll(list);
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
        synchronized (lock) {
            for (int i = 0; i < times; i++) {
                script.add(reply);
            }
        }
        return this;
    }

    /**
     * Answers requests once the script is used up: {@code replies} gets the request's number (1 for the first
     * request this endpoint received) and returns the reply. It runs on a server thread and must not block.
     */
    public ScriptedHttpEndpoint otherwise(IntFunction<HttpReply> replies) {
        Objects.requireNonNull(replies, "replies");
        synchronized (lock) {
            otherwise = replies;
        }
        return this;
    }

    private MockResponse answer(RecordedRequest request) {
        requests.add(request);
        HttpReply reply;
        IntFunction<HttpReply> fallback;
        int number;
        synchronized (lock) {
            number = ++answered;
            reply = script.poll();
            fallback = otherwise;
        }
        if (reply == null) {
            reply = Objects.requireNonNull(fallback.apply(number), "otherwise() returned null for request " + number);
        }
        return reply.response();
    }

    /** How many scripted replies are left. */
    public int scriptLeft() {
        synchronized (lock) {
            return script.size();
        }
    }

    /** How many requests have been received. */
    public int requestCount() {
        return requests.size();
    }

    /** Every request received so far, in order. */
    public List<RecordedRequest> requests() {
        return requests.values();
    }

    /**
     * Waits until the {@code number}th request (1 for the first) has arrived, and returns it.
     *
     * @throws AssertionError if it has not arrived within {@code timeout}
     */
    public RecordedRequest awaitRequest(int number, Duration timeout) throws InterruptedException {
        if (number < 1) {
            throw new IllegalArgumentException("request number < 1: " + number);
        }
        return requests.await(number, timeout).get(number - 1);
    }

    /**
     * An OkHttp client whose calls run on {@code time}'s executor, so they run on the thread that advances time
     * (see the class comment). Give it to {@code RestSource.Options.withClient}; the source derives its own client
     * from it, sharing this executor.
     */
    public OkHttpClient client(VirtualTime time) {
        Objects.requireNonNull(time, "time");
        OkHttpClient client = new OkHttpClient.Builder().dispatcher(new okhttp3.Dispatcher(time)).build();
        clients.add(client);
        return client;
    }

    /** Shuts the server down and closes the pooled connections of the clients made by {@link #client}. */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            for (OkHttpClient client : clients) {
                client.connectionPool().evictAll();
            }
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "ScriptedHttpEndpoint[" + server.url("/") + ", " + answered + " answered, " + script.size()
                    + " scripted left]";
        }
    }
}
