package io.pipeline.sources;

import java.io.IOException;

/**
 * Counts the consecutive failed connections and disconnects of a streaming source ({@link WebSocketSource},
 * {@link SseSource}) and builds the failure the source completes with once they reach the threshold. A message
 * handled in between resets the count. Thread-safe.
 */
final class StreamFailures {
    private final int threshold;
    private int consecutive;
    private Throwable last;

    StreamFailures(int threshold) {
        this.threshold = Checks.positive(threshold, "exceptionThreshold");
    }

    /** A message was handled: the connection works again. */
    synchronized void reset() {
        consecutive = 0;
        last = null;
    }

    /** Records one more failure and returns how many happened in a row, this one included. */
    synchronized int record(Throwable cause) {
        last = cause;
        return ++consecutive;
    }

    /** Whether {@code count} consecutive failures are too many. */
    boolean exhausted(int count) {
        return count >= threshold;
    }

    synchronized int consecutive() {
        return consecutive;
    }

    /**
     * The failure a source completes with when it gives up: names the source and the redacted URL, carries the
     * last cause.
     */
    synchronized IOException tooMany(String source, String redactedUrl) {
        String message = source + " disconnected too many times, stopped: " + consecutive
                + " consecutive failures (exceptionThreshold " + threshold + ") at " + redactedUrl
                + (last == null ? "" : "; last: " + last.getMessage());
        return new IOException(message, last);
    }
}
