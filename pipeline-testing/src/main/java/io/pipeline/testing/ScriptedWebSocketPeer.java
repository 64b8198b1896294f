package io.pipeline.testing;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A WebSocket server on a loopback port, for testing a {@code WebSocketSource}: each connection the client makes
 * is served by the next scripted {@link WebSocketScript} — messages, then a close, a drop or silence — or its
 * upgrade is refused with a status. It runs on OkHttp's {@code mockwebserver3}.
 *
 * <pre>{@code
 * try (ScriptedWebSocketPeer peer = ScriptedWebSocketPeer.start()) {
 *     peer.connection().send("{\"price\":1}").close(1001, "going away");  // first connection
 *     WebSocketScript second = peer.connection();                         // second: silent until told
 *     var source = new WebSocketSource("ticker", handler, peer.url("/feed"), options);
 *     source.start();
 *     assertThat(second.awaitReceived(1, Duration.ofSeconds(10))).containsExactly("{\"subscribe\":\"AAPL\"}");
 *     second.send("{\"price\":2}");
 * }
 * }</pre>
 *
 * <p>Connections beyond the script are refused with {@code 404}.
 *
 * <p>This class is thread-safe: the server runs sockets on its own threads while the test scripts and reads.
 * {@link #close()} cuts every open socket and shuts the server down.
 */
public final class ScriptedWebSocketPeer implements AutoCloseable {
    private final LoopbackServer server = new LoopbackServer("scripted WebSocket peer", n ->
            new MockResponse.Builder().code(404).body("no scripted WebSocket for connection " + n).build());
    private final List<WebSocketScript> scripts = new CopyOnWriteArrayList<>();
    private final Recording<String> received = new Recording<>("message(s) from the client");

    private ScriptedWebSocketPeer() {
        server.beforeClose(() -> scripts.forEach(WebSocketScript::release));
    }

    /**
     * Starts a peer on an ephemeral loopback port.
     *
     * @throws UncheckedIOException if it cannot bind
     */
    public static ScriptedWebSocketPeer start() {
        return new ScriptedWebSocketPeer();
    }

    /** The {@code ws://} URL of {@code path} on this peer. */
    public String url(String path) {
        return server.url(path).replaceFirst("^http", "ws");
    }

    /** Scripts the next connection: its upgrade is accepted; fill it with messages now or while it is open. */
    public WebSocketScript connection() {
        WebSocketScript script = new WebSocketScript(scripts.size() + 1, received::add);
        scripts.add(script);
        server.enqueue(new MockResponse.Builder().webSocketUpgrade(script.listener()).build(), script::bind);
        return script;
    }

    /** Scripts the next connection's upgrade to be refused with {@code status}. */
    public ScriptedWebSocketPeer reject(int status) {
        if (status < 100 || status > 999 || status == 101) {
            throw new IllegalArgumentException("not a refusing HTTP status: " + status);
        }
        server.enqueue(new MockResponse.Builder().code(status).body("scripted status " + status).build());
        return this;
    }

    /** How many connections (upgrade requests) the client has made. */
    public int connectionCount() {
        return server.answered();
    }

    /** The upgrade requests so far, in order: their headers are the client's. */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    /**
     * Waits until the {@code number}th connection (1 for the first) has been requested, and returns its request.
     *
     * @throws AssertionError if it has not arrived within {@code timeout}
     */
    public RecordedRequest awaitConnection(int number, Duration timeout) throws InterruptedException {
        return server.awaitRequest(number, timeout);
    }

    /** Every text message the client sent, on any connection, in arrival order. */
    public List<String> received() {
        return received.values();
    }

    /**
     * Waits until the client has sent at least {@code count} messages, on any connection; returns the first ones.
     *
     * @throws AssertionError if fewer arrived within {@code timeout}
     */
    public List<String> awaitReceived(int count, Duration timeout) throws InterruptedException {
        return received.await(count, timeout);
    }

    /** Cuts every open socket and shuts the server down. Idempotent. */
    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "ScriptedWebSocketPeer[" + server + "]";
    }
}
