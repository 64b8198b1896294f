package io.pipeline.sources.output;

import io.pipeline.sources.output.SseFrames.Frame;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One connected browser of an {@link SseOutput}: a bounded queue of frames, filled by the pipeline without ever
 * blocking, and drained by the client's own writer thread (the HTTP server's thread serving the request).
 *
 * <p>Dropping a client interrupts its writer: a writer waiting for frames wakes up, and one blocked writing to a
 * stalled socket has its channel closed by the interrupt ({@code SocketChannel} is interruptible), so a stalled
 * client never holds a thread for long. The interrupt is only ever sent while the writer is still serving
 * this client ({@link #finished} under this object's monitor), so it never leaks onto the pool thread's next task.
 *
 * <p>This class is thread-safe.
 */
final class SseClient {
    private final long number;
    private final BlockingQueue<Frame> queue;
    private final Thread writer;
    private volatile long writingSinceNanos; // 0 when not in a write
    private volatile boolean dropped;
    private boolean finished; // guarded by this

    SseClient(long number, int capacity, Thread writer) {
        this.number = number;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = writer;
    }

    long number() {
        return number;
    }

    /** Queues {@code frame}; false when the queue is full (the client is too slow) or it has been dropped. */
    boolean offer(Frame frame) {
        return !dropped && queue.offer(frame);
    }

    /** Asks the writer to end the stream after the frames queued; false if the queue is full. */
    boolean end() {
        return queue.offer(SseFrames.END);
    }

    /** Whether a write has been in progress since before {@code deadlineNanos} ({@link System#nanoTime()}). */
    boolean writingSince(long deadlineNanos) {
        long since = writingSinceNanos;
        return since != 0 && since - deadlineNanos < 0;
    }

    boolean isDropped() {
        return dropped;
    }

    /** Stops serving this client at once: discards its queue and interrupts its writer. Idempotent. */
    void drop() {
        dropped = true;
        queue.clear();
        synchronized (this) {
            if (!finished) {
                writer.interrupt();
            }
        }
    }

    /**
     * Writes {@code first} and then queued frames to {@code out} until {@link SseFrames#END}, a drop, or a failed
     * write. Runs on the writer thread.
     *
     * @throws IOException if a write fails, the client went away or a drop closed the channel
     * @throws InterruptedException if dropped while waiting for frames
     */
    void serve(OutputStream out, List<Frame> first) throws IOException, InterruptedException {
        write(out, first);
        List<Frame> batch = new ArrayList<>();
        while (!dropped) {
            batch.clear();
            batch.add(queue.take());
            queue.drainTo(batch);
            int end = batch.indexOf(SseFrames.END);
            if (end >= 0) {
                write(out, batch.subList(0, end));
                return;
            }
            write(out, batch);
        }
    }

    private void write(OutputStream out, List<Frame> frames) throws IOException {
        if (frames.isEmpty()) {
            return;
        }
        writingSinceNanos = System.nanoTime();
        try {
            for (Frame frame : frames) {
                out.write(frame.bytes());
            }
            out.flush();
        } finally {
            writingSinceNanos = 0;
        }
    }

    /**
     * Called by the writer thread when it stops serving this client: no interrupt is sent after this, and one
     * sent before is cleared so that it does not reach the thread's next task.
     */
    void finish() {
        synchronized (this) {
            finished = true;
        }
        Thread.interrupted();
    }
}
