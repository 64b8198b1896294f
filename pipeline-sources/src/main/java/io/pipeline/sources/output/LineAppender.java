package io.pipeline.sources.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends whole lines to a file so that a crash never leaves a half line that a later append would continue.
 *
 * <p>Each {@link #append(byte[])} is one write of the complete line, straight to the operating system (no buffer
 * in this process), so a line is either wholly written or cut short only by a crash of the machine or process in
 * the middle of that write. On {@link #open}, a cut-short last line is removed: the file is truncated back to the
 * end of its last complete line, with a warning. For CSV, where a quoted value may hold a newline, a line ends only
 * at a newline outside quotes; finding it reads the whole file once (quote characters are counted), so opening a
 * large CSV file costs a sequential read.
 *
 * <p>This class is thread-safe: appends are serialized and never interleave.
 */
final class LineAppender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LineAppender.class);
    private static final int CHUNK = 64 * 1024;

    private final Path file;
    private final FileChannel channel;
    private final boolean emptyAtOpen;
    private boolean closed; // guarded by this

    private LineAppender(Path file, FileChannel channel, boolean emptyAtOpen) {
        this.file = file;
        this.channel = channel;
        this.emptyAtOpen = emptyAtOpen;
    }

    /**
     * Opens (creating it and its directories if needed) {@code file} for appending, after removing a cut-short last
     * line.
     *
     * @param quoted whether values may be quoted with {@code "} and hold newlines (CSV)
     * @throws UncheckedIOException if the file cannot be opened or repaired
     */
    static LineAppender open(Path file, boolean quoted) {
        Objects.requireNonNull(file, "file");
        FileChannel channel = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            long size = channel.size();
            long end = quoted ? endOfLastQuotedLine(channel) : endOfLastLine(channel);
            if (end < size) {
                LOG.warn("{} ended with an incomplete line ({} bytes after the last complete line, probably cut "
                        + "short by a crash); truncating it to {} bytes before appending", file, size - end, end);
                channel.truncate(end);
            }
            channel.position(end);
            return new LineAppender(file, channel, end == 0);
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new UncheckedIOException("cannot open " + file + " for appending: " + e.getMessage(), e);
        }
    }

    /** The offset just after the last {@code '\n'}, or 0. */
    private static long endOfLastLine(FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        long end = size;
        while (end > 0) {
            long start = Math.max(0, end - CHUNK);
            buffer.clear().limit((int) (end - start));
            readFully(channel, buffer, start);
            for (int i = buffer.limit() - 1; i >= 0; i--) {
                if (buffer.get(i) == '\n') {
                    return start + i + 1;
                }
            }
            end = start;
        }
        return 0;
    }

    /**
     * The offset just after the last {@code '\n'} outside quotes, or 0. Escaped quotes are doubled, so a newline is
     * inside a quoted value exactly when an odd number of quote characters precedes it.
     */
    private static long endOfLastQuotedLine(FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        long lastEnd = 0;
        boolean inQuotes = false;
        for (long start = 0; start < size; start += CHUNK) {
            buffer.clear().limit((int) Math.min(CHUNK, size - start));
            readFully(channel, buffer, start);
            for (int i = 0; i < buffer.limit(); i++) {
                byte b = buffer.get(i);
                if (b == '"') {
                    inQuotes = !inQuotes;
                } else if (b == '\n' && !inQuotes) {
                    lastEnd = start + i + 1;
                }
            }
        }
        return lastEnd;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + buffer.position());
            if (read < 0) {
                throw new IOException("unexpected end of file at " + (position + buffer.position()));
            }
        }
    }

    /** Whether the file was empty (or new) once opened and repaired: whether a header is due. */
    boolean wasEmptyAtOpen() {
        return emptyAtOpen;
    }

    Path file() {
        return file;
    }

    /**
     * Appends {@code line}, which must end with {@code '\n'}, in one write.
     *
     * @throws IllegalStateException if closed
     * @throws UncheckedIOException if the write fails
     */
    synchronized void append(byte[] line) {
        if (closed) {
            throw new IllegalStateException("output " + file + " is closed");
        }
        if (line.length == 0 || line[line.length - 1] != '\n') {
            throw new IllegalArgumentException("line does not end with a newline");
        }
        ByteBuffer buffer = ByteBuffer.wrap(line);
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Releases the file. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }
}
