package io.pipeline.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * The loopback server of {@link IngestHarness}, run in a process of its own so that its work and allocation are
 * not the client's. It prints {@code SSE <port>} and {@code WS <port>} on stdout and serves until stdin closes:
 *
 * <ul>
 *   <li>{@code GET /sse?n=N} (JDK HttpServer): N events {@code data: <message>}, then keeps the stream open with a
 *       comment every second until the client goes away (so that no client reconnects for more);
 *   <li>{@code GET /ws?n=N} (MockWebServer): a WebSocket sending N text messages, paced by OkHttp's send queue,
 *       then kept open.
 * </ul>
 *
 * <p>Message {@code i} is {@link #message(long)}: a small JSON object of about 60 bytes.
 */
public final class IngestServer {
    private IngestServer() {}

    static String message(long i) {
        return "{\"seq\":" + i + ",\"symbol\":\"" + SYMBOLS[(int) (i % SYMBOLS.length)] + "\",\"price\":"
                + (100 + (i % 1000) / 8.0) + ",\"volume\":" + (1000 + i) + "}";
    }

    private static final String[] SYMBOLS = {"AAPL", "MSFT", "GOOG", "AMZN", "NVDA"};

    public static void main(String[] args) throws Exception {
        HttpServer sse = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        sse.setExecutor(Executors.newCachedThreadPool());
        sse.createContext("/sse", IngestServer::serveSse);
        sse.start();
        MockWebServer ws = new MockWebServer();
        ws.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                long n = Long.parseLong(request.getUrl().queryParameter("n"));
                return new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket socket, Response response) {
                        Thread sender = new Thread(() -> send(socket, n), "ingest-server-ws-sender");
                        sender.setDaemon(true);
                        sender.start();
                    }
                }).build();
            }
        });
        ws.start(InetAddress.getLoopbackAddress(), 0);
        System.out.println("SSE " + sse.getAddress().getPort());
        System.out.println("WS " + ws.getPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the harness closes our stdin (or dies)
        }
        System.exit(0); // ends the open streams with the process
    }

    private static void serveSse(HttpExchange exchange) throws IOException {
        long n = Long.parseLong(query(exchange.getRequestURI(), "n"));
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().add("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = new BufferedOutputStream(exchange.getResponseBody(), 64 * 1024)) {
            for (long i = 0; i < n; i++) {
                out.write(("data: " + message(i) + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            for (int s = 0; s < 600; s++) { // keep the stream open; a failed write means the client has gone
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException clientGone) {
            // the run is over
        } finally {
            exchange.close();
        }
    }

    private static void send(WebSocket socket, long n) {
        for (long i = 0; i < n; i++) {
            while (socket.queueSize() > 1024 * 1024) {
                LockSupport.parkNanos(20_000); // OkHttp fails a socket whose queue passes 16 MiB
            }
            if (!socket.send(message(i))) {
                return; // closed
            }
        }
    }

    private static String query(URI uri, String name) {
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (pair.substring(0, eq).equals(name)) {
                return pair.substring(eq + 1);
            }
        }
        throw new IllegalArgumentException("no " + name + " in " + uri);
    }
}
