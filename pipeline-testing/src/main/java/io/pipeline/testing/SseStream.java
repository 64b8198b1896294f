package io.pipeline.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.SocketEffect;
import okio.BufferedSink;

/**
 * One scripted connection of a {@link ScriptedSseServer}: what the server writes on it, in order. Frames may be
 * added before the client connects (they are written as soon as it does) or while it is connected (written at
 * once). A stream with no {@link #end()} or {@link #drop()} stays open and silent until its server closes — the
 * way to test heartbeats and read timeouts.
 *
 * <p>This class is thread-safe.
 */
public final class SseStream {
    private static final Object END = new Object();
    private static final Object DROP = new Object();

    private final int number;
    private final String contentType;
    private final BlockingQueue<Object> actions = new LinkedBlockingQueue<>();
    private final CountDownLatch opened = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);

    SseStream(int number, String contentType) {
        this.number = number;
        this.contentType = contentType;
    }

    /** An event with an id and a type; {@code data} may span lines. A null {@code id} or {@code type} is left out. */
    public SseStream event(String id, String type, String data) {
        Objects.requireNonNull(data, "data");
        StringBuilder frame = new StringBuilder();
        if (id != null) {
            frame.append("id: ").append(id).append('\n');
        }
        if (type != null) {
            frame.append("event: ").append(type).append('\n');
        }
        for (String line : data.split("\n", -1)) {
            frame.append("data: ").append(line).append('\n');
        }
        return raw(frame.append('\n').toString());
    }

    /** An event of the default type, without an id. */
    public SseStream data(String data) {
        return event(null, null, data);
    }

    /** A {@code retry:} field: the client's reconnect delay. */
    public SseStream retry(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("retry delay is negative: " + delay);
        }
        return raw("retry: " + delay.toMillis() + "\n\n");
    }

    /** A comment line, which clients ignore (servers send them as keep-alives). */
    public SseStream comment(String text) {
        Objects.requireNonNull(text, "text");
        return raw(": " + text + "\n\n");
    }

    /**
     * Text written as it is, for frames the other methods cannot make (malformed ones, a byte order mark, lines
     * ended by {@code \r}, say). Empty text writes nothing.
     */
    public SseStream raw(String text) {
        Objects.requireNonNull(text, "text");
        if (!text.isEmpty()) { // an empty chunk would be the chunked body's end
            actions.add(text);
        }
        return this;
    }

    /** After what is scripted so far, the server ends the stream cleanly: the client sees it end. */
    public void end() {
        actions.add(END);
    }

    /** After what is scripted so far, the server cuts the connection: the client sees a failure mid-stream. */
    public void drop() {
        actions.add(DROP);
    }

    /**
     * Waits until the client has connected on this stream.
     *
     * @throws AssertionError if it has not within {@code timeout}
     */
    public void awaitOpen(Duration timeout) throws InterruptedException {
        if (!opened.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("SSE connection " + number + " was not opened within " + timeout);
        }
    }

    /**
     * Waits until the server has written everything up to an {@link #end()} or {@link #drop()}.
     *
     * @throws AssertionError if it has not within {@code timeout}
     */
    public void awaitFinished(Duration timeout) throws InterruptedException {
        if (!finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("SSE connection " + number + " did not finish within " + timeout);
        }
    }

    /** Whether the client has connected on this stream. */
    public boolean isOpen() {
        return opened.getCount() == 0 && finished.getCount() != 0;
    }

    /** Makes a silent stream end, so its server thread can stop. */
    void release() {
        actions.add(DROP);
    }

    MockResponse response() {
        // The body is written as it is scripted, so it is framed here, chunk by chunk; mockwebserver3 adds the
        // (empty) trailers after it. The connection is closed after every stream, as SSE servers do.
        return new MockResponse.Builder()
                .setHeader("Content-Type", contentType)
                .setHeader("Cache-Control", "no-cache")
                .setHeader("Transfer-Encoding", "chunked")
                .body(new MockResponseBody() {
                    @Override
                    public long getContentLength() {
                        return -1;
                    }

                    @Override
                    public void writeTo(BufferedSink sink) throws IOException {
                        write(sink);
                    }
                })
                .onResponseEnd(new SocketEffect.CloseSocket())
                .build();
    }

    private void write(BufferedSink sink) throws IOException {
        opened.countDown();
        try {
            while (true) {
                Object action = actions.take();
                if (action == END) {
                    sink.writeUtf8("0\r\n"); // the last chunk: a clean end of the stream
                    return;
                }
                if (action == DROP) {
                    return; // no last chunk: the client sees the stream break off
                }
                byte[] frame = ((String) action).getBytes(StandardCharsets.UTF_8);
                sink.writeHexadecimalUnsignedLong(frame.length).writeUtf8("\r\n").write(frame).writeUtf8("\r\n")
                        .flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            finished.countDown();
        }
    }

    @Override
    public String toString() {
        return "SseStream[" + number + (isOpen() ? ", open" : "") + ", " + actions.size() + " frame(s) unsent]";
    }
}
