package io.pipeline.sources.output;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A client on a plain socket, for what {@code SseSource} cannot do: send any {@code Last-Event-ID}, see comments,
 * read the status line, and stall (connect, ask, never read). Reads de-chunk the body and time out after 10 s.
 * Not thread-safe.
 */
final class RawSseClient implements Closeable {
    private final Socket socket = new Socket();
    private InputStream in;
    private final StringBuilder body = new StringBuilder();
    private String status;

    /** Connects with a small receive buffer (a stalled client then fills up quickly) and sends the request. */
    static RawSseClient open(InetSocketAddress address, String path, String lastEventId) throws IOException {
        RawSseClient client = new RawSseClient();
        client.socket.setReceiveBufferSize(4096);
        client.socket.setSoTimeout(10_000);
        client.socket.connect(address, 10_000);
        OutputStream out = client.socket.getOutputStream();
        String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
                + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n") + "\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        client.in = client.socket.getInputStream();
        return client;
    }

    /** The status line, e.g. {@code HTTP/1.1 200 OK}; reads the response head on first call. */
    String status() throws IOException {
        if (status == null) {
            status = line();
            while (!line().isEmpty()) {
                // skip headers
            }
        }
        return status;
    }

    /**
     * The next {@code count} blocks of the stream (events and comments, without their blank line), in order.
     *
     * @throws java.io.EOFException if the stream ends first
     */
    List<String> next(int count) throws IOException {
        status();
        List<String> blocks = new ArrayList<>();
        while (blocks.size() < count) {
            int end = body.indexOf("\n\n");
            if (end >= 0) {
                blocks.add(body.substring(0, end));
                body.delete(0, end + 2);
            } else if (!readChunk()) {
                throw new java.io.EOFException("stream ended after " + blocks + "; left: " + body);
            }
        }
        return blocks;
    }

    /** Reads until the server ends the stream; returns whether it ended (false: the connection was cut). */
    boolean awaitEnd() throws IOException {
        status();
        try {
            while (readChunk()) {
                body.setLength(0);
            }
            return true;
        } catch (IOException cut) {
            return false;
        }
    }

    private boolean readChunk() throws IOException {
        String size = line();
        int length = Integer.parseInt(size.trim(), 16);
        if (length == 0) {
            line();
            return false;
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new java.io.EOFException("chunk cut short");
        }
        body.append(new String(bytes, StandardCharsets.UTF_8));
        line();
        return true;
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new java.io.EOFException("connection closed; line so far: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
