package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.RetainedState;
import java.time.Duration;
import java.util.Objects;

/**
 * An exponentially weighted moving average per key with a half-life in event time, emitted on {@link #AVERAGE}
 * for every value.
 *
 * <p>A key's first value is its average. Each later value {@code x}, {@code Δt} after the previous one, moves
 * the average by {@code α(x − average)} with {@code α = 1 − 2^(−Δt / halfLife)}: irregular intervals weigh
 * correctly, a value one half-life after the previous one counts half. A value with the same time as the previous
 * one, or older, has {@code α = 0}: it is reported, and leaves the average as it was.
 *
 * <p>Bad input, state bound, restarts and threads as for {@link RollingStats}; state per key is about 100 bytes.
 */
public final class Ewma<T> extends Processor {
    /** The average after each accepted value. */
    public static final Event<Smoothed> AVERAGE = Event.of("average", Smoothed.class);

    private static final double LN2 = Math.log(2);

    private final Reader<T> reader;
    private final double halfLifeNanos;
    private final KeyedStates<Level> keys;

    public Ewma(String name, MessageHandler handler, Series<T> series, Duration halfLife) {
        this(name, handler, series, halfLife, OperatorOptions.defaults());
    }

    /** @throws IllegalArgumentException if {@code halfLife} is not positive */
    public Ewma(String name, MessageHandler handler, Series<T> series, Duration halfLife, OperatorOptions options) {
        super(name, handler);
        this.reader = new Reader<>(Objects.requireNonNull(series, "series"));
        this.halfLifeNanos = Checks.nanos(Checks.positive(halfLife, "half-life"), "half-life");
        this.keys = state(halfLife, options);
    }

    private KeyedStates<Level> state(Duration halfLife, OperatorOptions options) {
        Object config = java.util.List.of(halfLife, options.maxKeys());
        if (options.freshState()) {
            return new KeyedStates<>(options.maxKeys(), KeptKeys.idleNanos(options));
        }
        Kept kept = retainedState(Kept.class, () -> new Kept(config, options));
        if (!kept.config.equals(config)) {
            kept = new Kept(config, options);
            RetainedState.of(handler()).put(name(), kept);
        }
        return kept.keys;
    }

    /** One key's average and the time of the value that last moved it. */
    static final class Level {
        double average;
        long time;

        Level(double average, long time) {
            this.average = average;
            this.time = time;
        }
    }

    static final class Kept {
        final Object config;
        final KeyedStates<Level> keys;

        Kept(Object config, OperatorOptions options) {
            this.config = config;
            this.keys = new KeyedStates<>(options.maxKeys(), KeptKeys.idleNanos(options));
        }
    }

    /** Folds one value into its key's average and emits it. */
    public void accept(T payload) {
        Reader<T> in = reader;
        String problem = in.read(payload);
        if (problem != null) {
            emit(ERROR, new BadInputException(name(), in.key, problem));
            return;
        }
        KeyedStates.Node<Level> node = keys.touchAtEventTime(in.key, in.nanos, key -> null, null);
        Level level = node.state;
        if (level == null) {
            node.state = level = new Level(in.value, in.nanos);
        } else {
            long dt = in.nanos - level.time;
            if (dt > 0) {
                double alpha = -Math.expm1(-LN2 * (dt / halfLifeNanos));
                level.average += alpha * (in.value - level.average);
                level.time = in.nanos;
            }
        }
        double average = level.average;
        emit(AVERAGE, new Smoothed(in.key, in.value, average, in.time));
    }

    /** The number of keys with state. */
    public int keys() {
        return keys.size();
    }
}
