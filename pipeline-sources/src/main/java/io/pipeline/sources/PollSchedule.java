package io.pipeline.sources;

import java.time.Duration;

/**
 * The fixed-rate plan of a {@link RestSource}: each poll is planned at the previous planned time plus the
 * interval, so that response times do not accumulate; a {@code Retry-After} pushes the plan back; a response
 * slower than the interval makes the next poll go out at once and the plan restart from then.
 *
 * <p>Times are nanoseconds on the scale of the source's {@link java.time.Clock} (epoch nanoseconds), so a test
 * with a manual clock and scheduler drives it in virtual time. Arithmetic saturates. Not thread-safe: the source
 * calls it from one poll at a time (each call happens-before the next through the scheduler or OkHttp).
 */
final class PollSchedule {
    private final long intervalNanos;
    private long planned; // the planned time of the current poll

    PollSchedule(Duration interval) {
        this.intervalNanos = Durations.nanos(Checks.positive(interval, "requestInterval"));
    }

    /**
     * Plans the first poll {@code offsetNanos} after {@code now}.
     *
     * @return the delay until it, {@code offsetNanos}
     */
    long first(long now, long offsetNanos) {
        planned = saturatedAdd(now, Math.max(0, offsetNanos));
        return Math.max(0, offsetNanos);
    }

    /**
     * Plans the poll after the one that just ended, at {@code now}.
     *
     * @param retryAfter the server's {@code Retry-After} (already capped), or null
     * @return the delay from {@code now} until that poll, never negative
     */
    long next(long now, Duration retryAfter) {
        long next = saturatedAdd(planned, intervalNanos);
        if (retryAfter != null) {
            next = Math.max(next, saturatedAdd(now, Durations.nanos(retryAfter)));
        }
        if (next < now) {
            next = now; // the response was slower than the interval: poll now and plan from here
        }
        planned = next;
        return next - now;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
