package io.pipeline.testing;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A Server-Sent Events endpoint on a loopback port, for testing an {@code SseSource}: each connection the client
 * makes is served by the next scripted {@link SseStream} — events, then the stream ending, dropping or falling
 * silent — or refused with a status. It runs on OkHttp's {@code mockwebserver3}.
 *
 * <pre>{@code
 * try (ScriptedSseServer server = ScriptedSseServer.start()) {
 *     server.stream().event("1", "tick", "a").retry(Duration.ofSeconds(2)).drop();  // first connection
 *     server.reject(503);                                                             // second
 *     SseStream third = server.stream().data("resumed");                             // third, stays open
 *     var source = new SseSource("feed", handler, server.url("/events"), options);
 *     source.start();
 *     third.awaitOpen(Duration.ofSeconds(10));
 *     third.data("live");  // sent while the client listens
 * }
 * }</pre>
 *
 * <p>Connections beyond the script are answered {@code 404}, naming the connection number.
 *
 * <p>This class is thread-safe: the server writes streams on its own threads while the test scripts and reads.
 * {@link #close()} ends every open stream and shuts the server down.
 */
public final class ScriptedSseServer implements AutoCloseable {
    private final LoopbackServer server = new LoopbackServer("scripted SSE server", n ->
            new MockResponse.Builder().code(404).body("no scripted stream for connection " + n).build());
    private final List<SseStream> streams = new CopyOnWriteArrayList<>();

    private ScriptedSseServer() {
        server.beforeClose(() -> streams.forEach(SseStream::release));
    }

    /**
     * Starts a server on an ephemeral loopback port.
     *
     * @throws UncheckedIOException if it cannot bind
     */
    public static ScriptedSseServer start() {
        return new ScriptedSseServer();
    }

    /** The URL of {@code path} on this server. */
    public String url(String path) {
        return server.url(path);
    }

    /**
     * Scripts the next connection as an event stream and returns it, to fill with events now or while the client
     * is connected.
     */
    public SseStream stream() {
        return stream("text/event-stream");
    }

    /**
     * Scripts the next connection as an event stream served with {@code Content-Type: contentType} (one with
     * parameters, or a wrong one) and returns it.
     */
    public SseStream stream(String contentType) {
        Objects.requireNonNull(contentType, "contentType");
        SseStream stream = new SseStream(streams.size() + 1, contentType);
        streams.add(stream);
        server.enqueue(stream.response());
        return stream;
    }

    /**
     * Scripts the next connection to be answered with {@code reply}, whatever it is: a status other than 200 with
     * an event-stream body, a body that never ends, a wrong content type.
     */
    public ScriptedSseServer reply(HttpReply reply) {
        server.enqueue(Objects.requireNonNull(reply, "reply").response());
        return this;
    }

    /** Scripts the next connection to be answered with {@code status} and a plain-text body instead of a stream. */
    public ScriptedSseServer reject(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("HTTP status out of range: " + status);
        }
        server.enqueue(new MockResponse.Builder().code(status).body("scripted status " + status).build());
        return this;
    }

    /** How many connections (requests) the client has made. */
    public int connectionCount() {
        return server.answered();
    }

    /** The requests of every connection so far, in order: their headers carry {@code Last-Event-ID}. */
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

    /** Ends every stream still open and shuts the server down. Idempotent. */
    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "ScriptedSseServer[" + server + "]";
    }
}
