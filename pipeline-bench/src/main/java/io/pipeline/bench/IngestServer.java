package io.pipeline.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The loopback server of {@link IngestHarness}, run in a process of its own so that its work and allocation are
 * not the client's. It prints {@code SSE <port>} and {@code WS <port>} on stdout and serves until stdin closes:
 *
 * <ul>
 *   <li>{@code GET /sse?n=N} (JDK HttpServer): N events {@code data: <message>}, then keeps the stream open with a
 *       comment every second until the client goes away (so that no client reconnects for more);
 *   <li>{@code GET /ws?n=N} (a minimal WebSocket server on a plain socket): N text messages written through one
 *       buffer, then kept open (pings answered).
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
        ServerSocket ws = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> acceptWebSockets(ws), "ingest-server-ws-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        System.out.println("SSE " + sse.getAddress().getPort());
        System.out.println("WS " + ws.getLocalPort());
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

    private static void acceptWebSockets(ServerSocket server) {
        while (true) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            Thread connection = new Thread(() -> serveWebSocket(socket), "ingest-server-ws");
            connection.setDaemon(true);
            connection.start();
        }
    }

    /**
     * A minimal WebSocket server (RFC 6455) for one connection: the handshake, N unmasked text frames written
     * through one buffer (a server that flushes per frame would be the bottleneck), then pongs for pings and a
     * close for a close, until the client goes away.
     */
    private static void serveWebSocket(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            String requestLine = null;
            String key = null;
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                if (requestLine == null) {
                    requestLine = line;
                } else if (line.regionMatches(true, 0, "Sec-WebSocket-Key:", 0, 18)) {
                    key = line.substring(18).trim();
                }
            }
            long n = Long.parseLong(query(URI.create(requestLine.split(" ")[1]), "n"));
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (long i = 0; i < n; i++) {
                frame(out, 0x1, message(i).getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            while (true) { // client frames are masked
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long length = b1 & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] mask = new byte[4];
                in.readFully(mask);
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
                int opcode = b0 & 0x0F;
                if (opcode == 0x9) {
                    frame(out, 0xA, payload);
                    out.flush();
                } else if (opcode == 0x8) {
                    frame(out, 0x8, payload);
                    out.flush();
                    return;
                }
            }
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            // the client went away: the run is over
        }
    }

    private static void frame(OutputStream out, int opcode, byte[] payload) throws IOException {
        out.write(0x80 | opcode);
        if (payload.length < 126) {
            out.write(payload.length);
        } else if (payload.length < 65536) {
            out.write(126);
            out.write(payload.length >> 8);
            out.write(payload.length & 0xFF);
        } else {
            throw new IOException("frame too long for this server: " + payload.length);
        }
        out.write(payload);
    }

    private static String readLine(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException();
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
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
