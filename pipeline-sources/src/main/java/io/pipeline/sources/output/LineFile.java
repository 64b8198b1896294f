package io.pipeline.sources.output;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One output's file: opened for appending under an exclusive OS lock, its cut-short last line removed, written
 * with plain {@code write(2)} calls.
 *
 * <p><b>One writer per file.</b> {@link #open} takes an exclusive {@link FileLock} on the whole file, so a second
 * output on the same file in another process fails. Within this JVM a second output fails before it even opens
 * the file: a JVM-wide table of the files held (by file key, that is device and inode) is checked first. That
 * order matters on Linux, where the lock is a POSIX record lock, which the kernel drops when the process closes
 * <em>any</em> descriptor of the file (see {@link FileLock}): a failed second attempt must not open and close a
 * descriptor of a held file. The same caveat applies to other code in the process: reading the file (with
 * {@code Files.readString}, say) while an output holds it releases the lock against other processes, though not
 * against other outputs in this JVM.
 *
 * <p><b>Repair.</b> A line is whole when it ends with {@code '\n'}; for CSV, where a quoted value may hold a
 * newline, only with a {@code '\n'} outside quotes. On open, bytes after the last whole line (a row cut short by a
 * crash) are truncated away with a warning; for CSV that means reading the whole file once.
 *
 * <p><b>Writes</b> go through {@link RandomAccessFile#write}, not the channel: an interrupted caller would close an
 * interruptible channel (and so the output, for every thread) in the middle of its write.
 *
 * <p>Not thread-safe: {@link LineWriter} serializes {@link #write} and {@link #close}.
 */
final class LineFile {
    private static final Logger LOG = LoggerFactory.getLogger(LineFile.class);
    private static final int CHUNK = 64 * 1024;
    /** The files outputs of this JVM hold, by file key, with the output holding each. Guarded by itself. */
    private static final Map<Object, String> HELD = new HashMap<>();

    private final Path file;
    private final Object key;
    private final RandomAccessFile raf;
    private final FileLock lock;
    private final long endAtOpen;
    private boolean closed;

    private LineFile(Path file, Object key, RandomAccessFile raf, FileLock lock, long endAtOpen) {
        this.file = file;
        this.key = key;
        this.raf = raf;
        this.lock = lock;
        this.endAtOpen = endAtOpen;
    }

    /**
     * Opens (creating it and its directories if needed) {@code file} for appending by {@code owner}, locks it, and
     * removes a cut-short last line.
     *
     * @param quoted whether values may be quoted with {@code "} and hold newlines (CSV)
     * @throws IllegalStateException if another output, in this JVM or another process, holds the file
     * @throws UncheckedIOException if the file cannot be opened or repaired
     */
    static LineFile open(Path file, String owner, boolean quoted) {
        Objects.requireNonNull(file, "file");
        synchronized (HELD) {
            try {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                if (Files.exists(file)) {
                    refuseIfHeld(file, key(file));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + file + " for appending: " + e.getMessage(), e);
            }
            LineFile opened = openLocked(file, owner, quoted);
            HELD.put(opened.key, owner);
            return opened;
        }
    }

    private static void refuseIfHeld(Path file, Object key) {
        String holder = HELD.get(key);
        if (holder != null) {
            throw new IllegalStateException("cannot open " + file + " for appending: output '" + holder
                    + "' in this JVM is writing it (one writer per file)");
        }
    }

    private static LineFile openLocked(Path file, String owner, boolean quoted) {
        RandomAccessFile raf = null;
        try {
            raf = new RandomAccessFile(file.toFile(), "rw");
            FileChannel channel = raf.getChannel();
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held through another channel of this JVM, outside the outputs
            }
            if (lock == null) {
                throw new IllegalStateException("cannot open " + file + " for appending: another process (or "
                        + "other code in this JVM) holds its lock; one writer per file");
            }
            Object key = key(file);
            refuseIfHeld(file, key); // the path was created or replaced since the first check
            long size = channel.size();
            long end = quoted ? endOfLastQuotedLine(channel) : endOfLastLine(channel);
            if (end < size) {
                LOG.warn("{} ended with an incomplete line ({} bytes after the last complete line, probably cut "
                        + "short by a crash); truncating it to {} bytes before appending", file, size - end, end);
                channel.truncate(end);
            }
            raf.seek(end);
            return new LineFile(file, key, raf, lock, end);
        } catch (IOException e) {
            closeQuietly(raf, e);
            throw new UncheckedIOException("cannot open " + file + " for appending (by '" + owner + "'): "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(raf, e);
            throw e;
        }
    }

    private static void closeQuietly(RandomAccessFile raf, Exception e) {
        if (raf != null) {
            try {
                raf.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
        }
    }

    /** Device and inode where the file system has them, else the real path. */
    private static Object key(Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return key != null ? key : file.toRealPath(LinkOption.NOFOLLOW_LINKS);
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

    /**
     * The first line of the file as it was once repaired, without its line break ({@code \n} outside quotes when
     * {@code quoted}), or null if the file was empty. Reads at most {@code limit} bytes.
     */
    byte[] firstLine(boolean quoted, int limit) {
        if (endAtOpen == 0) {
            return null;
        }
        try {
            int length = (int) Math.min(endAtOpen, limit);
            ByteBuffer buffer = ByteBuffer.allocate(length);
            readFully(raf.getChannel(), buffer, 0);
            boolean inQuotes = false;
            for (int i = 0; i < length; i++) {
                byte b = buffer.get(i);
                if (b == '"' && quoted) {
                    inQuotes = !inQuotes;
                } else if (b == '\n' && !inQuotes) {
                    byte[] line = new byte[i];
                    buffer.get(0, line);
                    return line;
                }
            }
            byte[] all = new byte[length];
            buffer.get(0, all);
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the first line of " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether the file was empty (or new) once opened and repaired: whether a header is due. */
    boolean wasEmptyAtOpen() {
        return endAtOpen == 0;
    }

    Path path() {
        return file;
    }

    /** Writes {@code bytes[0, length)} at the end of the file. */
    void write(byte[] bytes, int length) throws IOException {
        raf.write(bytes, 0, length);
    }

    /** Releases the lock and the file. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (HELD) {
            HELD.remove(key);
            try {
                try {
                    lock.release();
                } finally {
                    raf.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
