package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Rolling anomaly detection per key: each value is scored against the key's preceding window — the last
 * {@code window} values <em>before</em> it, the value itself excluded — and a value scoring more than {@code k}
 * away is emitted on {@link #ANOMALY} as an {@link Anomaly}. Then the value joins the window.
 *
 * <ul>
 *   <li>{@link Method#Z_SCORE}: {@code score = (x − mean) / stdDev} (sample standard deviation).
 *   <li>{@link Method#ROBUST}: {@code score = (x − median) / (1.4826 × MAD)}, MAD being the median of the
 *       absolute deviations from the median: one earlier spike does not blind it. O(window log window) per value.
 * </ul>
 *
 * <p>No verdict is given while fewer than {@code warmUp} values precede (default: the window size). A value is
 * anomalous when {@code |score| > k} (default 3). With a zero spread (a constant window) a different value scores
 * ±infinity and is anomalous; an equal one scores 0.
 *
 * <p>Bad input, state bound, restarts and threads as for {@link RollingStats}; state per key is about
 * {@code 16 × window} bytes.
 */
public final class AnomalyDetector<T> extends Processor {
    /** Values that scored beyond the threshold. */
    public static final Event<Anomaly> ANOMALY = Event.of("anomaly", Anomaly.class);
    /** The default threshold, in standard deviations. */
    public static final double DEFAULT_K = 3;

    /** How a value is scored. */
    public enum Method { Z_SCORE, ROBUST }

    private static final double MAD_TO_SIGMA = 1.4826;

    private final Reader<T> reader;
    private final Method method;
    private final int warmUp;
    private final double k;
    private final KeyedStates<RollingMoments> keys;
    private final java.util.function.Function<Object, RollingMoments> newWindow;
    private double[] scratch;

    /** A z-score detector over the last {@code window} values, k = 3, warm-up = the window size. */
    public AnomalyDetector(String name, MessageHandler handler, Series<T> series, int window) {
        this(name, handler, series, window, Method.Z_SCORE, window, DEFAULT_K, OperatorOptions.defaults());
    }

    /**
     * @throws IllegalArgumentException if {@code window <= 0}, {@code warmUp} is not in {@code [2, window]}, or
     *     {@code k} is not positive and finite
     */
    public AnomalyDetector(String name, MessageHandler handler, Series<T> series, int window, Method method, int warmUp,
            double k, OperatorOptions options) {
        super(name, handler);
        this.reader = new Reader<>(Objects.requireNonNull(series, "series"));
        Checks.positive(window, "anomaly window");
        if (warmUp < 2 || warmUp > window) {
            throw new IllegalArgumentException("warmUp must be between 2 and the window size " + window + ": " + warmUp);
        }
        if (!(k > 0) || Double.isInfinite(k)) {
            throw new IllegalArgumentException("k must be positive and finite: " + k);
        }
        this.method = Objects.requireNonNull(method, "method");
        this.warmUp = warmUp;
        this.k = k;
        Object config = List.of(window, options.maxKeys());
        this.keys = KeptKeys.resolveEventTime(options.freshState() ? null
                : retainedState(KeptKeys.class, () -> new KeptKeys<>(config, options.maxKeys(), KeptKeys.idleNanos(options))),
                config, options, handler, name);
        this.newWindow = key -> new RollingMoments(window, false);
        this.scratch = method == Method.ROBUST ? new double[Math.min(window, 16)] : null; // grows with the windows
    }

    /** Scores one value against its key's preceding window, emits it if anomalous, then adds it to the window. */
    public void accept(T payload) {
        Reader<T> in = reader;
        String problem = in.read(payload);
        if (problem != null) {
            emit(ERROR, new BadInputException(name(), in.key, problem));
            return;
        }
        RollingMoments m = keys.touchAtEventTime(in.key, in.nanos, newWindow, null).state;
        Anomaly anomaly = null;
        if (m.size() >= warmUp) {
            double expected;
            double spread;
            if (method == Method.Z_SCORE) {
                expected = m.mean();
                spread = Math.sqrt(m.variance());
            } else {
                int n = m.size();
                if (scratch.length < n) {
                    scratch = new double[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(n, 2L * scratch.length))];
                }
                m.copyValues(scratch);
                expected = median(scratch, n);
                for (int i = 0; i < n; i++) {
                    scratch[i] = Math.abs(scratch[i] - expected);
                }
                spread = MAD_TO_SIGMA * median(scratch, n);
            }
            double deviation = in.value - expected;
            double score = deviation == 0 ? 0 : deviation / spread;
            if (Math.abs(score) > k) {
                anomaly = new Anomaly(in.key, in.value, expected, spread, score, in.time);
            }
        }
        m.add(in.value, in.nanos);
        if (anomaly != null) {
            emit(ANOMALY, anomaly);
        }
    }

    private static double median(double[] values, int n) {
        Arrays.sort(values, 0, n);
        return (n & 1) == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /** The number of keys with state. */
    public int keys() {
        return keys.size();
    }
}
