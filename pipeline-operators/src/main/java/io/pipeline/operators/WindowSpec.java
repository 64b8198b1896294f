package io.pipeline.operators;

import java.time.Duration;
import java.util.Objects;

/**
 * The shape of a {@link Window}: which values share a {@link Pane} and when a pane is complete.
 *
 * <ul>
 *   <li>{@link #countTumbling(int) countTumbling(n)} — every {@code n} values of a key make one pane.
 *   <li>{@link #countSliding(int, int) countSliding(n, k)} — once {@code n} values of a key have arrived, every
 *       {@code k}-th value emits a pane of the last {@code n} values.
 *   <li>{@link #timeTumbling(Duration) timeTumbling(size)} — panes {@code [start, start + size)} of event time,
 *       aligned to multiples of {@code size} since the epoch: start inclusive, end exclusive.
 *   <li>{@link #timeSliding(Duration, Duration) timeSliding(size, hop)} — panes {@code [start, start + size)}
 *       starting at every multiple of {@code hop}; a value belongs to {@code size / hop} panes (rounded up), at
 *       most {@value #MAX_PANES_PER_VALUE}.
 *   <li>{@link #session(Duration) session(gap)} — a pane of a key lasts while its values are less than
 *       {@code gap} apart; a value exactly {@code gap} after the previous one starts a new session. Its end is
 *       its last value's time plus {@code gap}. Out-of-order values can merge two sessions.
 * </ul>
 *
 * <p>Event-time panes close on the <em>watermark</em>: the largest event time seen minus
 * {@link #allowedLateness()}. A pane closes once the watermark reaches its end; a value all of whose panes have
 * closed is <em>late</em>: it is emitted on {@link Window#LATE}, never added and never dropped silently. When
 * the operator has a scheduler (see {@link OperatorOptions#withScheduler}), the watermark also advances with the
 * clock — to {@code now − allowedLateness − clockGrace} — so that the last pane of a key that went quiet is
 * closed too; the grace should cover the delay between a value's time and its arrival (a value arriving after
 * the clock closed its pane is late). {@link #withoutClockClosing()} turns that off (for replays of old data).
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public final class WindowSpec {
    /** The kinds of window. */
    public enum Kind { COUNT_TUMBLING, COUNT_SLIDING, TIME_TUMBLING, TIME_SLIDING, SESSION }

    private final Kind kind;
    private final int count;
    private final int step;
    private final Duration size;
    private final Duration hop;
    private final Duration lateness;
    private final Duration clockGrace;
    private final boolean clockClosing;

    private WindowSpec(Kind kind, int count, int step, Duration size, Duration hop, Duration lateness,
            Duration clockGrace, boolean clockClosing) {
        this.kind = kind;
        this.count = count;
        this.step = step;
        this.size = size;
        this.hop = hop;
        this.lateness = lateness;
        this.clockGrace = clockGrace;
        this.clockClosing = clockClosing;
    }

    private static WindowSpec time(Kind kind, Duration size, Duration hop) {
        return new WindowSpec(kind, 0, 0, size, hop, Duration.ZERO, Duration.ZERO, true);
    }

    /** @throws IllegalArgumentException if {@code n <= 0} */
    public static WindowSpec countTumbling(int n) {
        Checks.positive(n, "window size");
        return new WindowSpec(Kind.COUNT_TUMBLING, n, n, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, false);
    }

    /** @throws IllegalArgumentException if {@code n <= 0}, {@code k <= 0} or {@code k > n} */
    public static WindowSpec countSliding(int n, int k) {
        Checks.positive(n, "window size");
        Checks.positive(k, "window step");
        if (k > n) {
            throw new IllegalArgumentException("window step " + k + " is larger than the window size " + n);
        }
        return new WindowSpec(Kind.COUNT_SLIDING, n, k, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, false);
    }

    /** @throws IllegalArgumentException if {@code size} is not positive */
    public static WindowSpec timeTumbling(Duration size) {
        Checks.positive(size, "window size");
        return time(Kind.TIME_TUMBLING, size, size);
    }

    /**
     * The most panes one value of a sliding window may belong to ({@code size / hop}): each value is added to each
     * of them, so a year hopping by the nanosecond would make every value a runaway loop and every key a memory
     * bomb.
     */
    public static final int MAX_PANES_PER_VALUE = 100_000;

    /**
     * @throws IllegalArgumentException if {@code size} or {@code hop} is not positive, {@code hop > size}, or
     *     {@code size / hop} exceeds {@link #MAX_PANES_PER_VALUE}
     */
    public static WindowSpec timeSliding(Duration size, Duration hop) {
        long sizeNanos = Checks.nanos(Checks.positive(size, "window size"), "window size");
        long hopNanos = Checks.nanos(Checks.positive(hop, "window hop"), "window hop");
        if (hop.compareTo(size) > 0) {
            throw new IllegalArgumentException("window hop " + hop + " is larger than the window size " + size);
        }
        if ((sizeNanos - 1) / hopNanos + 1 > MAX_PANES_PER_VALUE) {
            throw new IllegalArgumentException("window size " + size + " over hop " + hop + " puts every value in "
                    + ((sizeNanos - 1) / hopNanos + 1) + " panes, more than " + MAX_PANES_PER_VALUE
                    + ": use a larger hop");
        }
        return time(Kind.TIME_SLIDING, size, hop);
    }

    /** @throws IllegalArgumentException if {@code gap} is not positive */
    public static WindowSpec session(Duration gap) {
        Checks.positive(gap, "session gap");
        return time(Kind.SESSION, gap, gap);
    }

    /**
     * With values accepted up to {@code lateness} behind the largest event time seen. Default zero.
     *
     * @throws IllegalArgumentException if {@code lateness} is negative, or this is a count window
     */
    public WindowSpec withAllowedLateness(Duration lateness) {
        requireTime("allowed lateness");
        return new WindowSpec(kind, count, step, size, hop, Checks.notNegative(lateness, "allowed lateness"),
                clockGrace, clockClosing);
    }

    /**
     * With the clock-driven watermark held back a further {@code grace} (for sources whose event time lags the
     * clock, e.g. an API that stamps readings to the quarter hour). Default zero.
     *
     * @throws IllegalArgumentException if {@code grace} is negative, or this is a count window
     */
    public WindowSpec withClockGrace(Duration grace) {
        requireTime("clock grace");
        return new WindowSpec(kind, count, step, size, hop, lateness, Checks.notNegative(grace, "clock grace"),
                clockClosing);
    }

    /** With panes closed on event time only, never by the clock. */
    public WindowSpec withoutClockClosing() {
        return new WindowSpec(kind, count, step, size, hop, lateness, clockGrace, false);
    }

    private void requireTime(String what) {
        if (!isTime()) {
            throw new IllegalArgumentException(what + " applies to event-time windows, not to " + this);
        }
    }

    public Kind kind() {
        return kind;
    }

    /** Whether panes are made of event time (tumbling, sliding, session) rather than counted values. */
    public boolean isTime() {
        return kind != Kind.COUNT_TUMBLING && kind != Kind.COUNT_SLIDING;
    }

    /** The size of a count window; 0 for time windows. */
    public int count() {
        return count;
    }

    /** The step of a count window; 0 for time windows. */
    public int step() {
        return step;
    }

    /** The size of a time window, the gap of a session; zero for count windows. */
    public Duration size() {
        return size;
    }

    /** The hop of a time window (its size when tumbling); zero for count windows. */
    public Duration hop() {
        return hop;
    }

    public Duration allowedLateness() {
        return lateness;
    }

    public Duration clockGrace() {
        return clockGrace;
    }

    /** Whether the clock advances the watermark when the operator has a scheduler. */
    public boolean closesOnClock() {
        return clockClosing;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowSpec w && kind == w.kind && count == w.count && step == w.step
                && size.equals(w.size) && hop.equals(w.hop) && lateness.equals(w.lateness)
                && clockGrace.equals(w.clockGrace) && clockClosing == w.clockClosing;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, count, step, size, hop, lateness, clockGrace, clockClosing);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case COUNT_TUMBLING -> "countTumbling(" + count + ")";
            case COUNT_SLIDING -> "countSliding(" + count + ", " + step + ")";
            case TIME_TUMBLING -> "timeTumbling(" + size + ", lateness " + lateness + ")";
            case TIME_SLIDING -> "timeSliding(" + size + ", " + hop + ", lateness " + lateness + ")";
            case SESSION -> "session(" + size + ", lateness " + lateness + ")";
        };
    }
}
