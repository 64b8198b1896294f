package io.pipeline.testing;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/**
 * One scripted connection of a {@link ScriptedWebSocketPeer}: what the server does on it, in order. Steps added
 * before the client connects run as soon as it does; steps added while it is open run at once. A connection with
 * no {@link #close(int, String)} or {@link #drop()} stays open and silent until its peer closes — the way to test
 * a heartbeat watchdog. The server answers pings (OkHttp does) and completes a close the client starts.
 *
 * <p>This class is thread-safe.
 */
public final class WebSocketScript {
    private final int number;
    private final Consumer<String> peerReceived;
    private final Recording<String> received;
    private final CountDownLatch opened = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final CompletableFuture<Integer> clientClose = new CompletableFuture<>();
    private volatile boolean answerClose = true;
    private final Object lock = new Object();
    private final List<Consumer<WebSocket>> steps = new ArrayList<>(); // guarded by lock, until the socket opens
    private WebSocket socket; // guarded by lock
    private Socket tcp; // guarded by lock
    private boolean ended; // guarded by lock

    WebSocketScript(int number, Consumer<String> peerReceived) {
        this.number = number;
        this.peerReceived = peerReceived;
        this.received = new Recording<>("message(s) from the client on connection " + number);
    }

    /** Sends a text message. */
    public WebSocketScript send(String text) {
        Objects.requireNonNull(text, "text");
        return step(socket -> socket.send(text));
    }

    /** Sends {@code text} as a binary message of its UTF-8 bytes. */
    public WebSocketScript sendBinary(String text) {
        Objects.requireNonNull(text, "text");
        return step(socket -> socket.send(ByteString.encodeUtf8(text)));
    }

    /** Starts a clean close with {@code code} and {@code reason}: the client sees the server close. */
    public void close(int code, String reason) {
        step(socket -> socket.close(code, reason));
        end();
    }

    /** Cuts the TCP connection without a close handshake: the client sees it fail. */
    public void drop() {
        step(socket -> cut());
        end();
    }

    /**
     * The server never answers the client's close frame on this connection: a client that closes waits for a
     * reply that does not come (until the peer is closed). For testing a client's close timeout.
     */
    public WebSocketScript neverAnswerClose() {
        answerClose = false;
        return this;
    }

    /**
     * Waits until the client sends a close frame on this connection (starting the handshake or answering the
     * server's), and returns its code.
     *
     * @throws AssertionError if it has not within {@code timeout}
     */
    public int awaitClientClose(Duration timeout) throws InterruptedException {
        try {
            return clientClose.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the client did not close WebSocket connection " + number + " within " + timeout);
        } catch (ExecutionException e) {
            throw new AssertionError("cannot happen: the close code is never a failure", e);
        }
    }

    /** Records the TCP connection this script runs on, before its upgrade response is sent. */
    void bind(Socket connection) {
        synchronized (lock) {
            tcp = connection;
        }
    }

    private void cut() {
        Socket connection;
        synchronized (lock) {
            connection = tcp;
        }
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // closing is all we wanted; a failure to close leaves nothing to do
            }
        }
    }

    private void end() {
        synchronized (lock) {
            ended = true;
        }
    }

    private WebSocketScript step(Consumer<WebSocket> step) {
        synchronized (lock) {
            if (ended) {
                throw new IllegalStateException("WebSocket connection " + number + " is already scripted to end");
            }
            if (socket == null) {
                steps.add(step);
                return this;
            }
            // OkHttp's WebSocket methods only enqueue, so running them here keeps the steps in order cheaply.
            step.accept(socket);
        }
        return this;
    }

    /**
     * Waits until the client has connected on this script.
     *
     * @throws AssertionError if it has not within {@code timeout}
     */
    public void awaitOpen(Duration timeout) throws InterruptedException {
        if (!opened.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("WebSocket connection " + number + " was not opened within " + timeout);
        }
    }

    /**
     * Waits until this connection is closed or failed, by either side.
     *
     * @throws AssertionError if it is still open after {@code timeout}
     */
    public void awaitClosed(Duration timeout) throws InterruptedException {
        if (!closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("WebSocket connection " + number + " was not closed within " + timeout);
        }
    }

    /** The text messages the client sent on this connection, in order. */
    public List<String> received() {
        return received.values();
    }

    /**
     * Waits until the client has sent at least {@code count} messages on this connection; returns the first ones.
     *
     * @throws AssertionError if fewer arrived within {@code timeout}
     */
    public List<String> awaitReceived(int count, Duration timeout) throws InterruptedException {
        return received.await(count, timeout);
    }

    /**
     * Cuts the connection, if open, so the peer can shut down; a close the client started and the script left
     * unanswered is answered first (a server that has read a close frame reads no more, so only its own close
     * ends the connection on its side).
     */
    void release() {
        WebSocket open;
        synchronized (lock) {
            ended = true;
            open = socket;
        }
        if (open != null && clientClose.isDone() && !answerClose) {
            open.close(clientClose.join(), null);
        }
        cut();
    }

    WebSocketListener listener() {
        return new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                synchronized (lock) {
                    socket = webSocket;
                    for (Consumer<WebSocket> step : steps) {
                        step.accept(webSocket);
                    }
                    steps.clear();
                }
                opened.countDown();
            }

            @Override
            public void onMessage(WebSocket webSocket, String text) {
                received.add(text);
                peerReceived.accept(text);
            }

            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                clientClose.complete(code);
                if (answerClose) {
                    webSocket.close(code, null);
                }
            }

            @Override
            public void onClosed(WebSocket webSocket, int code, String reason) {
                closed.countDown();
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                closed.countDown();
            }
        };
    }

    @Override
    public String toString() {
        return "WebSocketScript[" + number + (opened.getCount() == 0 ? ", opened" : "")
                + (closed.getCount() == 0 ? ", closed" : "") + "]";
    }
}
