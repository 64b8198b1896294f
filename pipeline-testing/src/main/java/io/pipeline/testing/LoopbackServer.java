package io.pipeline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * What the scripted fakes share: a {@link MockWebServer} on a loopback port (with {@code TCP_NODELAY}) answering
 * each request with the next scripted response, then with a fallback; every request recorded. Thread-safe.
 */
final class LoopbackServer implements AutoCloseable {
    private final MockWebServer server = new MockWebServer();
    private final Object lock = new Object();
    private final NoDelayServerSockets sockets = new NoDelayServerSockets();
    private final ArrayDeque<Scripted> script = new ArrayDeque<>(); // guarded by lock
    private Fallback otherwise; // guarded by lock
    private int answered; // guarded by lock
    private final Recording<RecordedRequest> requests = new Recording<>("request(s)");
    private final List<Runnable> beforeClose = new CopyOnWriteArrayList<>();

    /** Answers a request beyond the script: {@code number} is 1 for the first request the server received. */
    interface Fallback {
        MockResponse reply(int number, RecordedRequest request);
    }

    LoopbackServer(String what, IntFunction<MockResponse> otherwise) {
        Objects.requireNonNull(otherwise, "otherwise");
        this.otherwise = (number, request) -> otherwise.apply(number);
        server.setServerSocketFactory(sockets);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
        try {
            server.start(InetAddress.getLoopbackAddress(), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + what + " on loopback", e);
        }
    }

    private MockResponse answer(RecordedRequest request) {
        requests.add(request);
        Scripted next;
        Fallback fallback;
        int number;
        synchronized (lock) {
            number = ++answered;
            next = script.poll();
            fallback = otherwise;
        }
        if (next == null) {
            return Objects.requireNonNull(fallback.reply(number, request), "no reply for request " + number);
        }
        next.onDispatch().accept(sockets.accepted(request.getConnectionIndex()));
        return next.response();
    }

    String url(String path) {
        Objects.requireNonNull(path, "path");
        return server.url(path.startsWith("/") ? path : "/" + path).toString();
    }

    void enqueue(MockResponse response) {
        enqueue(response, socket -> { });
    }

    /** Scripts {@code response}; {@code onDispatch} gets the TCP connection it will be sent on, before it is. */
    void enqueue(MockResponse response, Consumer<Socket> onDispatch) {
        synchronized (lock) {
            script.add(new Scripted(response, onDispatch));
        }
    }

    private record Scripted(MockResponse response, Consumer<Socket> onDispatch) {}

    void otherwise(IntFunction<MockResponse> fallback) {
        Objects.requireNonNull(fallback, "fallback");
        otherwise((number, request) -> fallback.apply(number));
    }

    void otherwise(Fallback fallback) {
        synchronized (lock) {
            otherwise = Objects.requireNonNull(fallback, "fallback");
        }
    }

    int scriptLeft() {
        synchronized (lock) {
            return script.size();
        }
    }

    int answered() {
        synchronized (lock) {
            return answered;
        }
    }

    List<RecordedRequest> requests() {
        return requests.values();
    }

    RecordedRequest awaitRequest(int number, Duration timeout) throws InterruptedException {
        if (number < 1) {
            throw new IllegalArgumentException("request number < 1: " + number);
        }
        return requests.await(number, timeout).get(number - 1);
    }

    /** Runs {@code hook} at {@link #close()}, before the server stops: to release responses that are waiting. */
    void beforeClose(Runnable hook) {
        beforeClose.add(hook);
    }

    @Override
    public void close() {
        try {
            beforeClose.forEach(Runnable::run);
        } finally {
            server.close();
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return server.url("/") + ", " + answered + " answered, " + script.size() + " scripted left";
        }
    }
}
