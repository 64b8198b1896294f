package io.pipeline.sources.output;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay in front of a server, for cutting a client's connection at a moment the test chooses: {@link #cut()}
 * closes every relayed connection and holds new ones until {@link #resume()}. Its threads end on {@link #close()}.
 * This class is thread-safe.
 */
final class CuttableRelay implements Closeable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    CuttableRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        start("relay-accept", this::acceptLoop);
    }

    /** The address to connect to instead of the target's. */
    int port() {
        return listener.getLocalPort();
    }

    /** Closes every connection relayed so far; new ones wait for {@link #resume()}. */
    void cut() throws IOException {
        gate = new CountDownLatch(1);
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    /** Lets held and new connections through. */
    void resume() {
        gate.countDown();
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket client = listener.accept();
                sockets.add(client);
                start("relay-connect", () -> relay(client));
            }
        } catch (IOException closed) {
            // close() closed the listener
        }
    }

    private void relay(Socket client) {
        try {
            if (!gate.await(10, TimeUnit.SECONDS) || client.isClosed()) {
                client.close();
                return;
            }
            Socket upstream = new Socket(target.getAddress(), target.getPort());
            sockets.add(upstream);
            start("relay-up", () -> pipe(client, upstream));
            pipe(upstream, client);
        } catch (IOException | InterruptedException e) {
            // cut or closed
        }
    }

    private static void pipe(Socket from, Socket to) {
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away: both are closed
        }
    }

    private void start(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        resume();
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        for (Thread thread : threads) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
