package io.pipeline.operators;

import io.pipeline.core.AsyncListener;
import io.pipeline.core.Event;
import io.pipeline.core.Listener;
import io.pipeline.core.Processor;
import io.pipeline.core.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * One point of a chain built by {@link Operators}: an event of a processor. Each step method creates the next
 * operator, subscribes it to this event and returns the point after it; calling two step methods on the same
 * chain branches it. {@link #to} ends a chain in a listener.
 *
 * <p>Immutable; build chains on one thread.
 *
 * @param <T> the payload type at this point
 */
public final class Chain<T> {
    private final Operators ops;
    private final Processor processor;
    private final Event<T> event;
    private final String nextName;

    Chain(Operators ops, Processor processor, Event<T> event, String nextName) {
        this.ops = ops;
        this.processor = processor;
        this.event = event;
        this.nextName = nextName;
    }

    /** The processor at this point. */
    public Processor processor() {
        return processor;
    }

    /** The event at this point. */
    public Event<T> event() {
        return event;
    }

    /** The same point, with the next step named {@code local} (within the manager) instead of {@code kind-n}. */
    public Chain<T> named(String local) {
        Objects.requireNonNull(local, "local");
        if (local.isBlank()) {
            throw new IllegalArgumentException("step name is blank");
        }
        return new Chain<>(ops, processor, event, local);
    }

    private String name(String kind) {
        return ops.name(kind, nextName);
    }

    private <U> Chain<U> next(Processor step, Event<U> out) {
        return new Chain<>(ops, step, out, null);
    }

    /** A {@link Mapper}: results of {@code function}, nulls dropped. */
    public <U> Chain<U> map(Function<? super T, ? extends U> function) {
        Mapper<T, U> step = ops.add(new Mapper<T, U>(name("map"), ops.handler(), function));
        processor.on(event, step::accept);
        return next(step, step.out());
    }

    /** A {@link Filter}. */
    public Chain<T> filter(Predicate<? super T> predicate) {
        Filter<T> step = ops.add(new Filter<T>(name("filter"), ops.handler(), predicate));
        processor.on(event, step::accept);
        return next(step, step.out());
    }

    /** A {@link FlatMapper}. */
    public <U> Chain<U> flatMap(Function<? super T, ? extends Iterable<? extends U>> function) {
        FlatMapper<T, U> step = ops.add(new FlatMapper<T, U>(name("flatMap"), ops.handler(), function));
        processor.on(event, step::accept);
        return next(step, step.out());
    }

    /** A {@link Window} keyed by {@code key}, on event time {@code time}; its LATE via {@link #onLate}. */
    public Chain<Pane<T>> window(WindowSpec spec, Function<? super T, ?> key, Function<? super T, Instant> time) {
        String name = name("window");
        OperatorOptions options = spec.isTime() && spec.closesOnClock() ? ops.clockDriven(name) : ops.options();
        Window<T> step = ops.add(new Window<T>(name, ops.handler(), spec, key, time, options));
        processor.on(event, step::accept);
        return next(step, step.out());
    }

    /** {@link RollingStats} of {@code series} over {@code window}. */
    public Chain<Stats> stats(Series<? super T> series, Rolling window) {
        RollingStats<T> step = ops.add(new RollingStats<T>(name("stats"), ops.handler(), narrow(series), window,
                ops.options()));
        processor.on(event, step::accept);
        return next(step, RollingStats.STATS);
    }

    /**
     * The {@link Stats} of each pane of a {@link Window} over {@code series} (keyed and timed by it), e.g. hourly
     * statistics per sensor with {@code WindowSpec.timeTumbling(Duration.ofHours(1))}: a window step and a map
     * step, the latter emitting {@code Stats.of(pane, series.value())} (an early pane's statistics too).
     */
    public Chain<Stats> stats(WindowSpec spec, Series<? super T> series) {
        Series<T> s = narrow(series);
        return window(spec, s.key(), s.time()).map(pane -> Stats.of(pane, s.value()));
    }

    /** {@link Ewma} of {@code series} with {@code halfLife}. */
    public Chain<Smoothed> ewma(Series<? super T> series, Duration halfLife) {
        Ewma<T> step = ops.add(new Ewma<T>(name("ewma"), ops.handler(), narrow(series), halfLife, ops.options()));
        processor.on(event, step::accept);
        return next(step, Ewma.AVERAGE);
    }

    /** A {@link Trend} of {@code series} over {@code window}, slope per {@code unit}, FLAT up to {@code flatBelow}. */
    public Chain<TrendPoint> trend(Series<? super T> series, Rolling window, Duration unit, double flatBelow) {
        Trend<T> step = ops.add(new Trend<T>(name("trend"), ops.handler(), narrow(series), window, unit, flatBelow,
                ops.options()));
        processor.on(event, step::accept);
        return next(step, Trend.TREND);
    }

    /** A z-score {@link AnomalyDetector} over the preceding {@code window} values, k = 3. */
    public Chain<Anomaly> anomalies(Series<? super T> series, int window) {
        return anomalies(series, window, AnomalyDetector.Method.Z_SCORE, window, AnomalyDetector.DEFAULT_K);
    }

    /** An {@link AnomalyDetector}. */
    public Chain<Anomaly> anomalies(Series<? super T> series, int window, AnomalyDetector.Method method, int warmUp,
            double k) {
        AnomalyDetector<T> step = ops.add(new AnomalyDetector<T>(name("anomalies"), ops.handler(), narrow(series),
                window, method, warmUp, k, ops.options()));
        processor.on(event, step::accept);
        return next(step, AnomalyDetector.ANOMALY);
    }

    /** A {@link ThresholdAlert}. */
    public Chain<Alert> alert(Series<? super T> series, AlertRule rule) {
        ThresholdAlert<T> step = ops.add(new ThresholdAlert<T>(name("alert"), ops.handler(), narrow(series), rule,
                ops.options()));
        processor.on(event, step::accept);
        return next(step, ThresholdAlert.ALERT);
    }

    /** A {@link StalenessAlert}. */
    public Chain<Alert> stale(Function<? super T, ?> key, Duration timeout) {
        String name = name("stale");
        StalenessAlert<T> step = ops.add(new StalenessAlert<T>(name, ops.handler(), key, timeout, ops.clockDriven(name)));
        processor.on(event, step::accept);
        return next(step, StalenessAlert.ALERT);
    }

    /** A {@link Dedup}. */
    public Chain<T> dedup(Function<? super T, ?> key, Duration horizon) {
        Dedup<T> step = ops.add(new Dedup<T>(name("dedup"), ops.handler(), key, horizon, ops.options()));
        processor.on(event, step::accept);
        return next(step, step.out());
    }

    /** A {@link Throttle}. */
    public Chain<T> throttle(Function<? super T, ?> key, Duration interval) {
        String name = name("throttle");
        Throttle<T> step = ops.add(new Throttle<T>(name, ops.handler(), key, interval, ops.clockDriven(name)));
        processor.on(event, step::accept);
        return next(step, step.out());
    }

    /**
     * Sends this point's LATE payloads (of a window or a time-windowed rolling step) to {@code listener}.
     *
     * @throws IllegalStateException if the processor here has no LATE event
     */
    public Chain<T> onLate(Listener<Object> listener) {
        if (!(processor instanceof Window<?> || processor instanceof RollingStats<?> || processor instanceof Trend<?>)) {
            throw new IllegalStateException(processor.name() + " emits no LATE event");
        }
        processor.on(Outputs.LATE, listener);
        return this;
    }

    /** Ends this branch in {@code listener}. */
    public Subscription to(Listener<? super T> listener) {
        return processor.on(event, listener);
    }

    /** Ends this branch in an asynchronous listener. */
    public Subscription toAsync(AsyncListener<? super T> listener) {
        return processor.onAsync(event, listener);
    }

    @SuppressWarnings("unchecked")
    private static <T> Series<T> narrow(Series<? super T> series) {
        return (Series<T>) Objects.requireNonNull(series, "series");
    }

    @Override
    public String toString() {
        return "Chain[" + processor.name() + "." + event.name() + "]";
    }
}
