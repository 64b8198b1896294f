package io.pipeline.sources;

/**
 * Counts a source's failures in a row against its {@code exceptionThreshold}; a success resets the count.
 * Thread-safe.
 */
final class FailureCounter {
    private final int threshold;
    private int consecutive; // guarded by this
    private Throwable last; // guarded by this

    FailureCounter(int threshold) {
        this.threshold = Checks.positive(threshold, "exceptionThreshold");
    }

    /** The threshold. */
    int threshold() {
        return threshold;
    }

    /** A success: the count starts over. */
    synchronized void reset() {
        consecutive = 0;
        last = null;
    }

    /** Records one more failure and returns how many happened in a row, this one included. */
    synchronized int record(Throwable cause) {
        last = cause;
        return consecutive == Integer.MAX_VALUE ? consecutive : ++consecutive;
    }

    /** Whether {@code count} failures in a row reach the threshold. */
    boolean exhausted(int count) {
        return count >= threshold;
    }

    /** The failures in a row so far. */
    synchronized int consecutive() {
        return consecutive;
    }

    /** The last failure recorded since the last reset, or null. */
    synchronized Throwable last() {
        return last;
    }

    /**
     * The failure a streaming source completes with when it gives up: names the source and the redacted URL,
     * carries the last cause.
     */
    synchronized java.io.IOException tooMany(String source, String redactedUrl) {
        String message = source + " disconnected too many times, stopped: " + consecutive
                + " consecutive failures (exceptionThreshold " + threshold + ") at " + redactedUrl
                + (last == null ? "" : "; last: " + last.getMessage());
        return new java.io.IOException(message, last);
    }
}
