package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The least-squares trend of each key over its {@link Rolling} window: for every value, the slope of value
 * against event time in units of {@code unit} (°C per hour with {@code Duration.ofHours(1)}), emitted on
 * {@link #TREND} as a {@link TrendPoint}.
 *
 * <p>The direction is {@link Direction#FLAT} when {@code |slope| <= flatBelow} (in the same unit), otherwise
 * {@link Direction#RISING} or {@link Direction#FALLING}. Nothing is emitted until the window holds two values at
 * different times. Windows and late values as for {@link RollingStats}; the slope is computed in two passes over
 * the window, O(window) per value.
 *
 * <p>Bad input, state bound, restarts and threads as for {@link RollingStats}.
 */
public final class Trend<T> extends Processor {
    /** The trend after each accepted value. */
    public static final Event<TrendPoint> TREND = Event.of("trend", TrendPoint.class);
    /** Values of a time window that arrived after the window had moved past them. */
    public static final Event<Object> LATE = Outputs.LATE;

    private final Reader<T> reader;
    private final Rolling window;
    private final double unitNanos;
    private final double flatBelow;
    private final KeyedStates<RollingMoments> keys;
    private final java.util.function.Function<Object, RollingMoments> newWindow;

    public Trend(String name, MessageHandler handler, Series<T> series, Rolling window, Duration unit, double flatBelow) {
        this(name, handler, series, window, unit, flatBelow, OperatorOptions.defaults());
    }

    /**
     * @throws IllegalArgumentException if {@code unit} is not positive, or {@code flatBelow} is negative or not
     *     finite
     */
    public Trend(String name, MessageHandler handler, Series<T> series, Rolling window, Duration unit, double flatBelow,
            OperatorOptions options) {
        super(name, handler);
        this.reader = new Reader<>(Objects.requireNonNull(series, "series"));
        this.window = Objects.requireNonNull(window, "window");
        this.unitNanos = Checks.nanos(Checks.positive(unit, "trend unit"), "trend unit");
        if (!(flatBelow >= 0) || Double.isInfinite(flatBelow)) {
            throw new IllegalArgumentException("flatBelow must be finite and not negative: " + flatBelow);
        }
        this.flatBelow = flatBelow;
        Object config = List.of(window, options.maxKeys());
        this.keys = KeptKeys.resolveEventTime(options.freshState() ? null
                : retainedState(KeptKeys.class, () -> new KeptKeys<>(config, options.maxKeys(), KeptKeys.idleNanos(options))),
                config, options, handler, name);
        int count = window.count();
        this.newWindow = key -> new RollingMoments(count, true);
    }

    /** Adds one value to its key's window and emits the window's trend. */
    public void accept(T payload) {
        Reader<T> in = reader;
        String problem = in.read(payload);
        if (problem != null) {
            emit(ERROR, new BadInputException(name(), in.key, problem));
            return;
        }
        RollingMoments m = keys.touchAtEventTime(in.key, in.nanos, newWindow, null).state;
        if (!window.isCount()) {
            long cutoff = Math.max(m.newestTime(), in.nanos) - window.sizeNanos();
            if (m.size() > 0 && in.nanos <= cutoff) {
                emit(LATE, payload);
                return;
            }
            m.removeUpTo(cutoff);
        }
        m.add(in.value, in.nanos);
        int n = m.size();
        if (n < 2) {
            return;
        }
        long origin = m.time(0);
        double meanT = 0;
        for (int i = 0; i < n; i++) {
            meanT += (m.time(i) - origin) / unitNanos;
        }
        meanT /= n;
        double meanX = m.mean();
        double stt = 0;
        double stx = 0;
        for (int i = 0; i < n; i++) {
            double dt = (m.time(i) - origin) / unitNanos - meanT;
            stt += dt * dt;
            stx += dt * (m.value(i) - meanX);
        }
        if (stt == 0) {
            return;
        }
        double slope = stx / stt;
        Direction direction = Math.abs(slope) <= flatBelow ? Direction.FLAT
                : slope > 0 ? Direction.RISING : Direction.FALLING;
        emit(TREND, new TrendPoint(in.key, slope, direction, n, in.time));
    }

    /** The number of keys with state. */
    public int keys() {
        return keys.size();
    }
}
