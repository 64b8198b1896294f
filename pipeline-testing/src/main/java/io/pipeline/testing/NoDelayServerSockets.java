package io.pipeline.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import javax.net.ServerSocketFactory;

/**
 * Server sockets whose accepted connections have {@code TCP_NODELAY} set. A fake server writes a response's head
 * and body separately; with Nagle's algorithm on, the body waits for the client's delayed ACK of the head (40 ms
 * on Linux), which would make every request of a virtual-time test cost that much wall time.
 */
final class NoDelayServerSockets extends ServerSocketFactory {
    static final NoDelayServerSockets INSTANCE = new NoDelayServerSockets();

    private NoDelayServerSockets() {
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new NoDelayServerSocket();
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        ServerSocket socket = new NoDelayServerSocket();
        socket.bind(new java.net.InetSocketAddress(port));
        return socket;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        ServerSocket socket = new NoDelayServerSocket();
        socket.bind(new java.net.InetSocketAddress(port), backlog);
        return socket;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
        ServerSocket socket = new NoDelayServerSocket();
        socket.bind(new java.net.InetSocketAddress(address, port), backlog);
        return socket;
    }

    private static final class NoDelayServerSocket extends ServerSocket {
        NoDelayServerSocket() throws IOException {
            super();
        }

        @Override
        public Socket accept() throws IOException {
            Socket socket = super.accept();
            socket.setTcpNoDelay(true);
            return socket;
        }
    }
}
