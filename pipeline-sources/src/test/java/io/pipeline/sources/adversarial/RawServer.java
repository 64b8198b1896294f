package io.pipeline.sources.adversarial;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP server for faults a scripted HTTP server cannot make: each connection reads the request head,
 * writes the given bytes (possibly nothing, possibly invalid HTTP or UTF-8), then either holds the connection open
 * and silent or kills it. Thread-safe; {@link #close()} ends its thread and every connection.
 */
final class RawServer implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Semaphore accepted = new Semaphore(0);

    private RawServer(byte[] reply, boolean hold) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> serve(reply, hold), "raw-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Answers every connection with {@code reply}, then keeps it open and silent until closed. */
    static RawServer holding(byte[] reply) throws IOException {
        return new RawServer(reply, true);
    }

    /** Answers every connection with {@code reply}, then resets it (the server killed mid-message). */
    static RawServer killing(byte[] reply) throws IOException {
        return new RawServer(reply, false);
    }

    String url(String scheme, String path) {
        return scheme + "://127.0.0.1:" + server.getLocalPort() + path;
    }

    /** Waits until {@code n} connections were accepted in all. */
    boolean awaitConnections(int n, long seconds) throws InterruptedException {
        if (!accepted.tryAcquire(n, seconds, TimeUnit.SECONDS)) {
            return false;
        }
        accepted.release(n);
        return true;
    }

    private void serve(byte[] reply, boolean hold) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                readHead(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                out.write(reply);
                out.flush();
                accepted.release();
                if (!hold) {
                    socket.setSoLinger(true, 0); // a reset, as when the server process dies
                    socket.close();
                }
            } catch (SocketException e) {
                return;
            } catch (IOException e) {
                // the client went away first: go on with the next
            }
        }
    }

    private static void readHead(InputStream in) throws IOException {
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            state = (b == '\r' || b == '\n') ? state + 1 : 0;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        acceptor.join(5_000);
    }
}
