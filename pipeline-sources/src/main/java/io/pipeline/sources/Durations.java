package io.pipeline.sources;

import java.time.Duration;

/**
 * Conversions of the options' durations that saturate instead of overflowing, so that any duration up to
 * {@code ChronoUnit.FOREVER.getDuration()} is accepted and means "practically never". Stateless.
 */
final class Durations {
    /**
     * The longest timeout OkHttp accepts ({@code Integer.MAX_VALUE} ms, about 24.8 days): a longer one is cut to
     * it, which is "never" for every practical purpose.
     */
    static final Duration OKHTTP_MAX = Duration.ofMillis(Integer.MAX_VALUE);

    private Durations() {}

    /** {@code d} in nanoseconds, {@link Long#MAX_VALUE} (about 292 years) when longer. */
    static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** {@code d} in milliseconds, {@link Long#MAX_VALUE} when longer. */
    static long millis(Duration d) {
        try {
            return d.toMillis();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** {@code d} cut to {@link #OKHTTP_MAX}, for OkHttp's timeout setters. */
    static Duration forOkHttp(Duration d) {
        return d.compareTo(OKHTTP_MAX) > 0 ? OKHTTP_MAX : d;
    }
}
