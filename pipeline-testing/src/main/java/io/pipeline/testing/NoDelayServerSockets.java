package io.pipeline.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ServerSocketFactory;

/**
 * Server sockets whose accepted connections have {@code TCP_NODELAY} set. A fake server writes a response's head
 * and body separately; with Nagle's algorithm on, the body waits for the client's delayed ACK of the head (40 ms
 * on Linux), which would make every request of a virtual-time test cost that much wall time.
 *
 * <p>It also keeps every accepted socket, in accept order — the order of mockwebserver3's connection indexes — so
 * a fake can cut one connection at the TCP level. Thread-safe.
 */
final class NoDelayServerSockets extends ServerSocketFactory {
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    /** The {@code index}th accepted connection (0 for the first). */
    Socket accepted(int index) {
        return accepted.get(index);
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new NoDelayServerSocket(accepted);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        ServerSocket socket = new NoDelayServerSocket(accepted);
        socket.bind(new java.net.InetSocketAddress(port));
        return socket;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        ServerSocket socket = new NoDelayServerSocket(accepted);
        socket.bind(new java.net.InetSocketAddress(port), backlog);
        return socket;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
        ServerSocket socket = new NoDelayServerSocket(accepted);
        socket.bind(new java.net.InetSocketAddress(address, port), backlog);
        return socket;
    }

    private static final class NoDelayServerSocket extends ServerSocket {
        private final List<Socket> accepted;

        NoDelayServerSocket(List<Socket> accepted) throws IOException {
            super();
            this.accepted = accepted;
        }

        @Override
        public Socket accept() throws IOException {
            Socket socket = super.accept();
            socket.setTcpNoDelay(true);
            accepted.add(socket);
            return socket;
        }
    }
}
