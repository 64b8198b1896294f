package io.pipeline.sources.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Appends whole lines to a {@link LineFile} under a {@link Durability} policy: the engine shared by
 * {@link CsvOutput} and {@link JsonLinesOutput}.
 *
 * <p><b>Design.</b> Producers copy each line into {@code pending} under {@code state} (a short critical section:
 * an array copy, no I/O, no user code). Whoever writes — the producer itself under {@link Durability#everyRow()},
 * a full buffer or {@link #flush()}; the flush task otherwise — takes {@code writeLock}, swaps {@code pending}
 * with {@code spare} under {@code state}, and writes {@code spare} with one {@code write(2)} outside
 * {@code state}, so producers keep appending while the disk works. Swapping under {@code writeLock} keeps the
 * file in append order; only the {@code writeLock} holder touches {@code spare}.
 *
 * <p><b>Group commit.</b> A line appended while no flush task is queued or running schedules one at once
 * ({@code flushQueued}): when idle, a line is in the file one thread hand-off after {@code append} returns.
 * Lines appended until that task takes the buffer ride along with it. A task that wrote several lines has met a
 * burst: it keeps its turn and runs again after a short linger ({@link #GROUP_COMMIT_LINGER_NANOS}), gathering
 * what arrives meanwhile into one write; a task that finds the buffer empty ends its turn. There is at most one
 * flush task queued or running, so under load the producer never hands over per line: one hand-off per burst and
 * one {@code write(2)} per linger, instead of one of each per line.
 *
 * <p><b>Bounds.</b> At most {@link #MAX_PENDING} bytes wait in {@code pending}; the producer that reaches it
 * writes the buffer itself (waiting for a running write first), so a producer faster than the disk is slowed to
 * its pace instead of growing the heap.
 *
 * <p><b>Failures.</b> A failed write, on whatever thread, breaks the writer for good (the file may end with a
 * partial line, which the next open removes): the failure goes to {@code onBackgroundFailure} when it happened on
 * the flush task, and every later append, flush and close throws it.
 *
 * <p>This class is thread-safe.
 */
final class LineWriter {
    static final int MAX_PENDING = 64 * 1024;
    /** How long the flush task gathers a burst's lines between two writes. */
    static final long GROUP_COMMIT_LINGER_NANOS = 200_000;
    private static final int INITIAL = 8 * 1024;
    private static final long OWN_THREAD_KEEP_ALIVE_SECONDS = 10;

    private final LineFile file;
    private final Durability durability;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final Consumer<Throwable> onBackgroundFailure;
    private final Runnable flushTask = this::flushInBackground;
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile Thread ownThread;

    private final Object state = new Object();
    // guarded by state:
    private byte[] pending = new byte[INITIAL];
    private int pendingBytes;
    private int pendingLines;
    private boolean flushQueued;
    private boolean timerArmed;
    private ScheduledFuture<?> timedFlush;
    private boolean closed;
    private IOException failure;
    // guarded by writeLock:
    private byte[] spare = new byte[INITIAL];
    private long writes;

    LineWriter(LineFile file, OutputOptions options, String threadName, Consumer<Throwable> onBackgroundFailure) {
        this.file = file;
        this.durability = options.durability();
        this.onBackgroundFailure = onBackgroundFailure;
        if (options.scheduler() != null) {
            this.scheduler = options.scheduler();
            this.ownScheduler = false;
        } else if (durability.mode() == Durability.Mode.EVERY_ROW) {
            this.scheduler = null;
            this.ownScheduler = false;
        } else {
            ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, threadName);
                thread.setDaemon(true);
                ownThread = thread;
                return thread;
            });
            own.setKeepAliveTime(OWN_THREAD_KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
            own.allowCoreThreadTimeOut(true); // an idle output holds no thread
            own.setRemoveOnCancelPolicy(true);
            this.scheduler = own;
            this.ownScheduler = true;
        }
    }

    /**
     * Appends {@code bytes} and then {@code '\n'}, as one line, under the durability policy.
     *
     * @throws IllegalStateException if closed
     * @throws UncheckedIOException if this or an earlier write failed
     */
    void appendLine(byte[] bytes) {
        append(bytes, bytes.length, false);
    }

    /** Appends {@code bytes[0, length)} and then {@code '\n'}, as one line; copies the bytes. */
    void appendLine(byte[] bytes, int length) {
        append(bytes, length, false);
    }

    /**
     * Appends {@code bytes} and then {@code '\n'} and writes everything pending before returning, whatever the
     * policy: the header.
     */
    void writeLine(byte[] bytes) {
        append(bytes, bytes.length, true);
    }

    private void append(byte[] bytes, int count, boolean now) {
        boolean writeNow;
        boolean queueFlush = false;
        boolean armTimer = false;
        synchronized (state) {
            checkUsable();
            int length = count + 1;
            if (pendingBytes + length > pending.length) {
                pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingBytes + length));
            }
            System.arraycopy(bytes, 0, pending, pendingBytes, count);
            pending[pendingBytes + count] = '\n';
            pendingBytes += length;
            pendingLines++;
            writeNow = now || pendingBytes >= MAX_PENDING || pendingLines >= durability.maxRows();
            if (!writeNow && durability.mode() == Durability.Mode.GROUP_COMMIT && !flushQueued) {
                flushQueued = queueFlush = true;
            } else if (!writeNow && durability.mode() == Durability.Mode.BATCHED && !timerArmed) {
                timerArmed = armTimer = true;
            }
        }
        if (queueFlush) {
            queueFlush();
        } else if (armTimer) {
            armTimer();
        }
        if (writeNow) {
            writePending();
        }
    }

    private void queueFlush() {
        try {
            scheduler.execute(flushTask);
        } catch (RejectedExecutionException e) {
            synchronized (state) {
                flushQueued = false;
            }
            writePending(); // a scheduler that refuses leaves the write to the caller
        }
    }

    /** Schedules the batch's timed write, unless the batch was written while this was scheduling it. */
    private void armTimer() {
        ScheduledFuture<?> timer;
        try {
            timer = scheduler.schedule(flushTask, durability.maxDelay().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            synchronized (state) {
                timerArmed = false;
            }
            writePending();
            return;
        }
        synchronized (state) {
            if (timerArmed && timedFlush == null) {
                timedFlush = timer;
                return;
            }
        }
        timer.cancel(false);
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("output " + file.path() + " is closed");
        }
        if (failure != null) {
            throw broken();
        }
    }

    private UncheckedIOException broken() {
        return new UncheckedIOException("an earlier write to " + file.path() + " failed, the output accepts no more "
                + "rows: " + failure.getMessage(), failure);
    }

    /**
     * Writes everything appended so far before returning.
     *
     * @throws UncheckedIOException if this or an earlier write failed
     */
    void flush() {
        synchronized (state) {
            if (failure != null) {
                throw broken();
            }
        }
        writePending();
    }

    /**
     * The flush task: writes what is pending. If that was a single line, it looks again at once and, finding the
     * buffer empty, ends ({@code flushQueued} cleared in the same critical section, so the next line schedules a
     * new task). If it was several lines, rows are arriving faster than one write takes: it keeps its turn and
     * runs again {@link #GROUP_COMMIT_LINGER_NANOS} later, so the rest of the burst is gathered into one write
     * per linger, with no hand-off at all for the producer.
     */
    private void flushInBackground() {
        try {
            writeLock.lock();
            try {
                while (true) {
                    int lines = writeChunk(true);
                    if (lines == 0) {
                        return;
                    }
                    if (lines > 1 && durability.mode() == Durability.Mode.GROUP_COMMIT && lingerThenFlush()) {
                        return;
                    }
                }
            } finally {
                writeLock.unlock();
            }
        } catch (UncheckedIOException e) {
            synchronized (state) {
                flushQueued = false;
            }
            onBackgroundFailure.accept(e);
        }
    }

    private boolean lingerThenFlush() {
        try {
            scheduler.schedule(flushTask, GROUP_COMMIT_LINGER_NANOS, TimeUnit.NANOSECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            return false; // shutting down: go on writing here
        }
    }

    /** Writes the buffer, again and again while producers refill it, until it is empty. */
    private void writePending() {
        writeLock.lock();
        try {
            while (writeChunk(false) > 0) {
                // until empty
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Takes what is pending and writes it with one {@code write(2)}; returns how many lines that was, 0 if none.
     * The flush task ({@code background}) clears {@code flushQueued} when it finds the buffer empty, in the same
     * critical section. Called with {@code writeLock} held.
     */
    private int writeChunk(boolean background) {
        byte[] chunk;
        int length;
        int lines;
        ScheduledFuture<?> timer;
        synchronized (state) {
            if (failure != null) {
                throw broken();
            }
            if (pendingBytes == 0) {
                if (background) {
                    flushQueued = false;
                }
                return 0;
            }
            chunk = pending;
            length = pendingBytes;
            lines = pendingLines;
            pending = spare.length >= INITIAL ? spare : new byte[INITIAL];
            pendingBytes = 0;
            pendingLines = 0;
            timerArmed = false;
            timer = timedFlush;
            timedFlush = null;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        try {
            file.write(chunk, length);
            writes++;
        } catch (IOException e) {
            synchronized (state) {
                failure = e;
            }
            throw broken();
        }
        spare = chunk.length > 4 * MAX_PENDING ? new byte[INITIAL] : chunk; // let an outsized row go
        return lines;
    }

    /** How many {@code write(2)} calls were made; for tests. */
    long writes() {
        writeLock.lock();
        try {
            return writes;
        } finally {
            writeLock.unlock();
        }
    }

    Path path() {
        return file.path();
    }

    Durability durability() {
        return durability;
    }

    boolean isClosed() {
        synchronized (state) {
            return closed;
        }
    }

    /**
     * Writes what is pending, ends the own writer thread and releases the file. Idempotent.
     *
     * @throws UncheckedIOException if the last write or an earlier one failed (the file is released all the same)
     */
    void close() {
        synchronized (state) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            writePending();
        } finally {
            try {
                if (ownScheduler) {
                    scheduler.shutdownNow();
                    awaitOwnThread();
                }
            } finally {
                writeLock.lock();
                try {
                    file.close();
                } finally {
                    writeLock.unlock();
                }
            }
        }
    }

    private void awaitOwnThread() {
        if (Thread.currentThread() == ownThread) {
            return; // closed from a failure listener running on the writer thread itself
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    scheduler.awaitTermination(10, TimeUnit.SECONDS);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
