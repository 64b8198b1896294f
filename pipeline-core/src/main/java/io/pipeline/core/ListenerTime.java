package io.pipeline.core;

import java.time.Duration;

/**
 * Time spent in listeners, <em>sampled</em>: one delivery in 64 per event is timed (on the thread that owns the
 * event's counters, every 1024th delivery counting from the first; on other threads a random one in 1024), because
 * reading the clock twice would cost more than a delivery. For an {@link AsyncListener} only the call that returns
 * its stage is timed, not the stage. Instances are immutable and safe for concurrent use.
 *
 * @param samples    how many deliveries were timed
 * @param totalNanos their total time, in nanoseconds
 * @param maxNanos   the longest of them, in nanoseconds; 0 without samples
 */
public record ListenerTime(long samples, long totalNanos, long maxNanos) {
    /** No samples. */
    public static final ListenerTime NONE = new ListenerTime(0, 0, 0);

    /** Validates the components. */
    public ListenerTime {
        if (samples < 0 || totalNanos < 0 || maxNanos < 0) {
            throw new IllegalArgumentException("negative listener time: samples=" + samples + ", totalNanos="
                    + totalNanos + ", maxNanos=" + maxNanos);
        }
    }

    /** The mean of the samples, {@link Duration#ZERO} without any. */
    public Duration mean() {
        return samples == 0 ? Duration.ZERO : Duration.ofNanos(totalNanos / samples);
    }

    /** The longest sample. */
    public Duration max() {
        return Duration.ofNanos(maxNanos);
    }

    /** This and {@code other} together. */
    public ListenerTime plus(ListenerTime other) {
        return new ListenerTime(samples + other.samples, totalNanos + other.totalNanos,
                Math.max(maxNanos, other.maxNanos));
    }
}
