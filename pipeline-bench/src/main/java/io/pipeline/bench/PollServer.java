package io.pipeline.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * The loopback server of {@link ManyPipelinesHarness}, run in a process of its own so that its CPU is not the
 * client's. It answers every request, whatever its path, with one fixed keep-alive HTTP/1.1 {@code 200} response
 * carrying {@link ManyPipelinesHarness#BODY}, prints {@code PORT <port>} on stdout and serves until its stdin
 * closes. Two implementations, chosen by the first argument:
 *
 * <ul>
 *   <li>{@code nio} (the default): one thread, one selector; a request is counted complete at its blank line
 *       (the clients send {@code GET}s without a body) and answered with one pre-built buffer, written once.
 *   <li>{@code jdk}: the JDK {@code HttpServer} with its own dispatcher thread as the only thread
 *       ({@code TCP_NODELAY} on).
 * </ul>
 *
 * <p>Not thread-safe; a program, not a library class.
 */
public final class PollServer {
    private PollServer() {}

    static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + ManyPipelinesHarness.BODY.length + "\r\n\r\n" + new String(ManyPipelinesHarness.BODY,
                    StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);

    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "nio";
        int port;
        Runnable stop;
        switch (kind) {
            case "nio" -> {
                NioServer server = new NioServer();
                Thread thread = new Thread(server, "poll-server-nio");
                thread.setDaemon(true);
                thread.start();
                port = server.port();
                stop = server::close;
            }
            case "jdk" -> {
                System.setProperty("sun.net.httpserver.nodelay", "true");
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        1024);
                server.createContext("/", exchange -> {
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, ManyPipelinesHarness.BODY.length);
                    try (OutputStream body = exchange.getResponseBody()) {
                        body.write(ManyPipelinesHarness.BODY);
                    }
                });
                server.start(); // no executor: the dispatcher thread runs the handler
                port = server.getAddress().getPort();
                stop = () -> server.stop(0);
            }
            default -> throw new IllegalArgumentException("unknown server kind (nio or jdk): " + kind);
        }
        System.out.println("PORT " + port);
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the harness closes our stdin (or dies)
        }
        stop.run();
    }

    /** One selector thread answering every request with {@link #RESPONSE}. */
    static final class NioServer implements Runnable {
        private static final byte[] END = {'\r', '\n', '\r', '\n'};
        private final Selector selector;
        private final ServerSocketChannel listener;
        private final ByteBuffer in = ByteBuffer.allocateDirect(16 * 1024);
        private final ByteBuffer response = ByteBuffer.allocateDirect(RESPONSE.length).put(RESPONSE).flip();

        NioServer() throws IOException {
            selector = Selector.open();
            listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
        }

        int port() throws IOException {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        }

        void close() {
            try {
                selector.close();
                listener.close();
            } catch (IOException ignored) {
                // exiting anyway
            }
        }

        /** Per connection: how far into {@link #END} the bytes read so far are, and responses still owed. */
        private static final class Connection {
            int matched;
            long owed;
            ByteBuffer partial; // the rest of a response the socket did not take at once, or null
        }

        @Override
        public void run() {
            try {
                while (selector.isOpen()) {
                    selector.select();
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept();
                        } else {
                            serve(key);
                        }
                    }
                }
            } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                // closed: the harness is done
            }
        }

        private void accept() throws IOException {
            SocketChannel channel;
            while ((channel = listener.accept()) != null) {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.register(selector, SelectionKey.OP_READ, new Connection());
            }
        }

        private void serve(SelectionKey key) {
            SocketChannel channel = (SocketChannel) key.channel();
            Connection connection = (Connection) key.attachment();
            try {
                if (key.isReadable()) {
                    read(channel, connection);
                }
                write(key, channel, connection);
            } catch (IOException e) {
                closeQuietly(key, channel);
            }
        }

        private void read(SocketChannel channel, Connection connection) throws IOException {
            while (true) {
                in.clear();
                int n = channel.read(in);
                if (n < 0) {
                    throw new IOException("closed by the client");
                }
                if (n == 0) {
                    return;
                }
                for (int i = 0; i < n; i++) {
                    byte b = in.get(i);
                    if (b == END[connection.matched]) {
                        if (++connection.matched == END.length) {
                            connection.owed++;
                            connection.matched = 0;
                        }
                    } else {
                        connection.matched = b == '\r' ? 1 : 0;
                    }
                }
                if (n < in.capacity()) {
                    return;
                }
            }
        }

        private void write(SelectionKey key, SocketChannel channel, Connection connection) throws IOException {
            while (connection.partial != null || connection.owed > 0) {
                ByteBuffer out = connection.partial;
                if (out == null) {
                    out = response.duplicate();
                    connection.owed--;
                }
                channel.write(out);
                if (out.hasRemaining()) {
                    connection.partial = out;
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    return;
                }
                connection.partial = null;
            }
            if (key.interestOps() != SelectionKey.OP_READ) {
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        private static void closeQuietly(SelectionKey key, SocketChannel channel) {
            key.cancel();
            try {
                channel.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}
