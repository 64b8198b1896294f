package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.RetainedState;
import java.util.Objects;

/**
 * Rolling statistics per key: for every value, the {@link Stats} of its key's {@link Rolling} window, the value
 * included, emitted on {@link #STATS}.
 *
 * <pre>{@code
 * var stats = new RollingStats<>(processorName("stats"), handler,
 *         Series.of(Reading::sensor, Reading::time, Reading::celsius), Rolling.count(60));
 * parse.on(parse.out(), stats::accept);
 * stats.on(RollingStats.STATS, dashboard::update);
 * }</pre>
 *
 * <p><b>Windows.</b> A count window holds the last {@code n} values of the key in arrival order. A time window
 * holds the values whose event time lies in {@code (newest − size, newest]}; a value at or before
 * {@code newest − size} is late: it is emitted on {@link #LATE} and not counted. An out-of-order value inside the
 * window is counted and leaves the window when the values that arrived before it have left. Numerics: see
 * {@code RollingMoments} — shifted sums with periodic exact recomputation; tested against an exact BigDecimal
 * computation to 1e-9 relative for values around 1e9 ± 1 and across twelve orders of magnitude.
 *
 * <p><b>Bad input.</b> A null key or time, or a NaN or infinite value, is emitted as a {@link BadInputException}
 * on {@code ERROR}; the statistics are untouched.
 *
 * <p><b>State.</b> Per key, a ring of the window's values: about {@code 16 × n} bytes for a count window of
 * {@code n} (values and min/max deques) plus about 150 bytes of entry; a time window holds {@code 24} bytes per
 * value in it, in a ring that grows by doubling. At most {@link OperatorOptions#maxKeys()} keys, idle ones
 * evicted (idleness in event time: a key whose newest value is {@link OperatorOptions#idleEviction()} behind the
 * newest value of any key; the operator never reads the clock); kept across manager restarts unless {@link OperatorOptions#freshState()}. Nothing to flush on stop.
 *
 * <p><b>Threads.</b> Not thread-safe: deliver to it from one thread at a time — an {@code AsyncDispatcher}'s loop
 * does; under a {@code SyncDispatcher}, emit into it from one thread. Listeners of {@code STATS} run on that
 * thread, depth first.
 */
public final class RollingStats<T> extends Processor {
    /** The statistics after each accepted value. */
    public static final Event<Stats> STATS = Event.of("stats", Stats.class);
    /** Values of a time window that arrived after the window had moved past them. */
    public static final Event<Object> LATE = Outputs.LATE;

    private final Reader<T> reader;
    private final Rolling window;
    private final State state;
    private final java.util.function.Function<Object, RollingMoments> newWindow;

    /** The state that survives a restart: one window per key. */
    static final class State {
        final Rolling window;
        final int maxKeys;
        final KeyedStates<RollingMoments> keys;

        State(Rolling window, OperatorOptions options) {
            this.window = window;
            this.maxKeys = options.maxKeys();
            this.keys = new KeyedStates<>(options.maxKeys(), KeptKeys.idleNanos(options));
        }

        boolean fits(Rolling other, OperatorOptions options) {
            return window.equals(other) && maxKeys == options.maxKeys();
        }
    }

    public RollingStats(String name, MessageHandler handler, Series<T> series, Rolling window) {
        this(name, handler, series, window, OperatorOptions.defaults());
    }

    public RollingStats(String name, MessageHandler handler, Series<T> series, Rolling window, OperatorOptions options) {
        super(name, handler);
        this.reader = new Reader<>(Objects.requireNonNull(series, "series"));
        this.window = Objects.requireNonNull(window, "window");
        Objects.requireNonNull(options, "options");
        this.state = state(options);
        int count = window.count();
        this.newWindow = key -> new RollingMoments(count, false);
    }

    private State state(OperatorOptions options) {
        if (options.freshState()) {
            return new State(window, options);
        }
        State kept = retainedState(State.class, () -> new State(window, options));
        if (!kept.fits(window, options)) {
            kept = new State(window, options);
            RetainedState.of(handler()).put(name(), kept);
        }
        return kept;
    }

    /** Adds one payload's value to its key's window and emits the window's statistics. */
    public void accept(T payload) {
        Reader<T> in = reader;
        String problem = in.read(payload);
        if (problem != null) {
            emit(ERROR, new BadInputException(name(), in.key, problem));
            return;
        }
        KeyedStates.Node<RollingMoments> node = state.keys.touchAtEventTime(in.key, in.nanos, newWindow, null);
        RollingMoments m = node.state;
        if (!window.isCount()) {
            long newest = Math.max(m.newestTime(), in.nanos);
            long cutoff = newest - window.sizeNanos();
            if (m.size() > 0 && in.nanos <= cutoff) {
                emit(LATE, payload);
                return;
            }
            m.removeUpTo(cutoff);
        }
        m.add(in.value, in.nanos);
        // the moments from the shifted sums, with one division for both
        int n = m.size();
        double sy = m.sumY();
        double inverse = 1.0 / n;
        double m2 = m.sumY2() - sy * sy * inverse;
        double variance = n > 1 && m2 > 0 ? m2 / (n - 1) : 0;
        emit(STATS, new Stats(in.key, n, n * m.shift() + sy, m.shift() + sy * inverse, variance, Math.sqrt(variance),
                m.min(), m.max(), m.first(), m.last(), in.time));
    }

    /** The number of keys with state. */
    public int keys() {
        return state.keys.size();
    }

    /** Keys evicted so far (over the bound or idle). */
    public long evictedKeys() {
        return state.keys.evictions();
    }

    /** The window. */
    public Rolling window() {
        return window;
    }
}
