package io.pipeline.sources;

import io.pipeline.core.SyncDispatcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The second process of {@link WebSocketHugeFrameTest}, run with a small heap, and a harness to run by hand. A
 * WebSocket server on a bare socket: its first connection sends one whole text frame of {@code args[0]} bytes,
 * then {@code {"ok":true}}; later connections send {@code {"ok":true}}; every connection then stays open. A
 * {@link WebSocketSource} with a heartbeat timeout of {@code args[1]} ms and a {@code maxFrameBytes} of
 * {@code args[2]} connects to it. Prints one line per event ({@code connected}, {@code error <message>},
 * {@code disconnected <reason>}, {@code message <json>}) and per uncaught throwable
 * ({@code uncaught <thread> <throwable>}), then {@code done} once the small message has arrived, or
 * {@code timeout} after {@code args[3]} ms. By hand:
 * {@code java -Xmx64m -cp … io.pipeline.sources.HugeFrameProbe 67108864 2000 1048576 20000}.
 */
public final class HugeFrameProbe {
    private HugeFrameProbe() {}

    public static void main(String[] args) throws Exception {
        long frameBytes = Long.parseLong(args[0]);
        Duration heartbeat = Duration.ofMillis(Long.parseLong(args[1]));
        long cap = Long.parseLong(args[2]);
        long waitMillis = Long.parseLong(args[3]);
        PrintStream out = System.out;
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> out.println("uncaught " + thread.getName() + " " + e));
        CountDownLatch recovered = new CountDownLatch(1);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             SyncDispatcher handler = new SyncDispatcher()) {
            startServer(server, frameBytes);
            WebSocketSource source = new WebSocketSource("huge", handler,
                    "ws://127.0.0.1:" + server.getLocalPort() + "/feed", WebSocketSource.Options.defaults()
                            .withHeartbeatTimeout(heartbeat).withMaxFrameBytes(cap)
                            .withReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(50)));
            source.on(WebSocketSource.CONNECTED, url -> out.println("connected"));
            source.on(WebSocketSource.DISCONNECTED, reason -> out.println("disconnected " + reason));
            source.on(WebSocketSource.ERROR, error -> out.println("error " + message(error)));
            source.on(WebSocketSource.MESSAGE, json -> {
                out.println("message " + json);
                recovered.countDown();
            });
            source.start();
            boolean done = recovered.await(waitMillis, TimeUnit.MILLISECONDS);
            source.stop();
            out.println(done ? "done" : "timeout");
        }
        out.flush();
        System.exit(0);
    }

    private static String message(Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static void startServer(ServerSocket server, long frameBytes) {
        AtomicInteger connections = new AtomicInteger();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket client = server.accept();
                    int n = connections.incrementAndGet();
                    Thread serve = new Thread(() -> serve(client, n == 1 ? frameBytes : -1), "probe-serve-" + n);
                    serve.setDaemon(true);
                    serve.start();
                }
            } catch (IOException closed) {
                // the server is closed
            }
        }, "probe-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Answers the upgrade, sends a text frame of {@code size} bytes of 'a' unless negative, then the small one. */
    private static void serve(Socket client, long size) {
        try (client) {
            InputStream in = client.getInputStream();
            String key = handshakeKey(in);
            OutputStream out = client.getOutputStream();
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            if (size >= 0) {
                byte[] head = new byte[10];
                head[0] = (byte) 0x81;
                head[1] = 127;
                for (int i = 0; i < 8; i++) {
                    head[2 + i] = (byte) (size >>> (8 * (7 - i)));
                }
                out.write(head);
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) 'a');
                for (long left = size; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
            byte[] payload = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            out.write(new byte[] {(byte) 0x81, (byte) payload.length});
            out.write(payload);
            out.flush();
            in.transferTo(OutputStream.nullOutputStream()); // until the client goes away
        } catch (Exception e) {
            // the client went away
        }
    }

    private static String handshakeKey(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during handshake");
            }
            head.append((char) b);
        }
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        throw new IOException("no Sec-WebSocket-Key");
    }
}
