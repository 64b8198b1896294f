package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Overflow;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.testing.EventLog;
import io.pipeline.testing.ScriptedWebSocketPeer;
import io.pipeline.testing.WebSocketScript;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** WebSocketSource against slow consumers, silent close handshakes, shared clients and an impossible frame. */
class WebSocketFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScriptedWebSocketPeer server = ScriptedWebSocketPeer.start();
    private final EventLog log = new EventLog();
    private final List<WebSocketSource> sources = new ArrayList<>();
    private final List<MessageHandler> handlers = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (WebSocketSource source : sources) {
            source.stop();
            assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
        }
        for (MessageHandler handler : handlers) {
            handler.close();
        }
        server.close();
    }

    @Test
    void slowConsumer_blockQueueOf16_20msPerMessage_all500Arrive_withoutReconnect() throws Exception {
        int count = 500;
        AsyncDispatcher handler = AsyncDispatcher.builder().capacity(16).overflow(Overflow.BLOCK).build();
        handlers.add(handler);
        WebSocketScript socket = server.connection();
        for (int i = 0; i < count; i++) {
            socket.send("{\"n\":" + i + "}");
        }
        server.connection(); // a reconnect would be accepted, and would show
        // Pings every second: a reader blocked behind the slow listener for 10 s would miss the pongs.
        WebSocketSource source = source(handler, WebSocketSource.Options.defaults()
                .withPingInterval(Duration.ofSeconds(1)).withHeartbeatTimeout(Duration.ofSeconds(3)));
        List<Integer> received = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(count);
        source.on(WebSocketSource.MESSAGE, message -> {
            Thread.sleep(20); // the slow consumer under test: 20 ms of work per message
            received.add(message.get("n").asInt());
            all.countDown();
        });

        source.start();

        assertThat(all.await(60, TimeUnit.SECONDS)).as("all %d messages within 60 s", count).isTrue();
        assertThat(received).hasSize(count).isSorted();
        List<String> events = log.rest();
        assertThat(events).noneMatch(e -> e.startsWith("disconnected") || e.startsWith("error")
                || e.startsWith("uncaught"));
        assertThat(events).filteredOn(e -> e.startsWith("connected")).hasSize(1);
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(source.consecutiveFailures()).isZero();
    }

    @Test
    void slowListener_longerThanTheHeartbeatTimeout_underSyncDispatcher_isNotADisconnect() throws Exception {
        SyncDispatcher handler = new SyncDispatcher();
        handlers.add(handler);
        server.connection().send("{\"n\":1}").send("{\"n\":2}").send("{\"n\":3}");
        WebSocketSource source = source(handler, WebSocketSource.Options.defaults()
                .withHeartbeatTimeout(Duration.ofSeconds(1)).withReconnectBackoff(Duration.ofMillis(1),
                        Duration.ofMillis(5)));
        source.on(WebSocketSource.MESSAGE, message -> {
            if (message.get("n").asInt() == 1) {
                Thread.sleep(3_000); // three heartbeat timeouts on one message
            }
        });

        source.start();

        assertThat(log.next(4, WAIT)).containsExactly("connected " + source.url(), "message {\"n\":1}",
                "message {\"n\":2}", "message {\"n\":3}");
    }

    @Test
    void stop_serverNeverAnswersTheCloseFrame_everyThreadOfTheSourceEndsWithinTheCloseTimeout() throws Exception {
        WebSocketScript silent = server.connection().neverAnswerClose().send("{}");
        SyncDispatcher handler = new SyncDispatcher();
        handlers.add(handler);
        WebSocketSource source = source(handler, WebSocketSource.Options.defaults()
                .withCloseTimeout(Duration.ofMillis(500)));
        source.start();
        assertThat(log.next(2, WAIT)).last().isEqualTo("message {}");

        source.stop();

        assertThat(silent.awaitClientClose(WAIT)).isEqualTo(1000); // and the server never answers
        // OkHttp's own close timeout is 60 s: without the source's, the reader thread would still be waiting.
        assertThat(source.client().dispatcher().executorService().awaitTermination(3, TimeUnit.SECONDS)).isTrue();
        assertThat(source.awaitTermination(Duration.ofSeconds(3))).isTrue();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("pipeline-feed-")) {
                thread.join(3_000); // a pool's worker may still be on its way out when the pool reports terminated
                assertThat(thread.isAlive()).as(thread.getName() + " ended").isFalse();
            }
        }
    }

    @Test
    void sharedClient_sevenLongLivedSocketsToOneHost_allConnect_noneQueuedBehindTheOthers() throws Exception {
        OkHttpClient shared = new OkHttpClient(); // OkHttp's default dispatcher: 5 requests per host
        SyncDispatcher handler = new SyncDispatcher();
        handlers.add(handler);
        int count = 7;
        CountDownLatch connected = new CountDownLatch(count);
        try {
            for (int i = 0; i < count; i++) {
                server.connection();
                WebSocketSource source = new WebSocketSource("feed" + i, handler, server.url("/feed"),
                        WebSocketSource.Options.defaults().withClient(shared));
                sources.add(source);
                source.on(WebSocketSource.CONNECTED, url -> connected.countDown());
                source.start();
            }

            assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(shared.dispatcher().queuedCallsCount()).isZero();
        } finally {
            for (WebSocketSource source : sources) {
                source.stop();
            }
            shared.dispatcher().executorService().shutdown();
            shared.connectionPool().evictAll();
        }
    }

    @Test
    void frameTooLargeToEverArrive_watchdogReportsTheLoss_andTheSourceReconnects() throws Exception {
        try (RawWebSocketServer raw = new RawWebSocketServer()) {
            SyncDispatcher handler = new SyncDispatcher();
            handlers.add(handler);
            WebSocketSource source = new WebSocketSource("feed", handler, raw.url(), WebSocketSource.Options
                    .defaults().withHeartbeatTimeout(Duration.ofSeconds(1))
                    .withReconnectBackoff(Duration.ofMillis(1), Duration.ofMillis(5)));
            sources.add(source);
            record(source);

            source.start();

            List<String> events = log.next(5, WAIT);
            assertThat(events.get(0)).isEqualTo("connected " + source.url());
            assertThat(events.get(1)).startsWith("error no message for ");
            assertThat(events.get(2)).startsWith("disconnected no message for ");
            assertThat(events.subList(3, 5)).containsExactly("connected " + source.url(), "message {\"ok\":true}");
        }
    }

    private WebSocketSource source(MessageHandler handler, WebSocketSource.Options options) {
        WebSocketSource source = new WebSocketSource("feed", handler, server.url("/feed"), options);
        sources.add(source);
        record(source);
        return source;
    }

    private void record(WebSocketSource source) {
        log.recordStream(source, WebSocketSource.CONNECTED, WebSocketSource.MESSAGE, WebSocketSource.DISCONNECTED);
    }

    /**
     * A WebSocket server written on a bare socket, for a fault neither the kit's peer nor mockwebserver3 can
     * script: its first connection announces a text frame of 2^40 bytes,
     * sends 64 KiB of it and stalls; later connections send one small message and stay open.
     */
    static final class RawWebSocketServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final AtomicInteger connections = new AtomicInteger();
        private final Thread acceptor = new Thread(this::acceptAll, "raw-websocket-server");

        RawWebSocketServer() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "ws://127.0.0.1:" + socket.getLocalPort() + "/feed";
        }

        private void acceptAll() {
            try {
                while (true) {
                    Socket client = socket.accept();
                    accepted.add(client);
                    Thread serve = new Thread(() -> serve(client, connections.incrementAndGet()), "raw-serve");
                    serve.setDaemon(true);
                    serve.start();
                }
            } catch (IOException closed) {
                // the server is closed
            }
        }

        private void serve(Socket client, int n) {
            try {
                InputStream in = client.getInputStream();
                String key = handshakeKey(in);
                OutputStream out = client.getOutputStream();
                String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
                out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                if (n == 1) {
                    out.write(new byte[] {(byte) 0x81, 127, 0, 0, 1, 0, 0, 0, 0, 0}); // length 2^40
                    out.write(new byte[64 * 1024]);
                } else {
                    byte[] payload = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
                    out.write(new byte[] {(byte) 0x81, (byte) payload.length});
                    out.write(payload);
                }
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
                if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
            throw new IOException("no Sec-WebSocket-Key");
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
