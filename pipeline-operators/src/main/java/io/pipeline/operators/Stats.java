package io.pipeline.operators;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Statistics of one key's window: count, sum, mean, sample variance and standard deviation, minimum, maximum,
 * first and last value (in arrival order), and the time of the value that produced them (for
 * {@link RollingStats}) or the pane's end (for {@link #of(Pane, ToDoubleFunction)}).
 *
 * <p>{@code variance} divides by {@code count − 1} (0 for a single value); {@link #populationVariance()} by
 * {@code count}. Instances are immutable.
 */
public record Stats(Object key, long count, double sum, double mean, double variance, double stdDev, double min,
        double max, double first, double last, Instant time) {

    /** The variance divided by {@code count} rather than {@code count − 1}. */
    public double populationVariance() {
        return count < 2 ? 0 : variance * (count - 1) / count;
    }

    /**
     * The statistics of a pane's values, computed in two passes; its time is the pane's end. A pane with no
     * values gives count 0 and NaN elsewhere.
     *
     * @throws IllegalArgumentException if a value is NaN or infinite
     */
    public static <T> Stats of(Pane<T> pane, ToDoubleFunction<? super T> value) {
        Objects.requireNonNull(pane, "pane");
        Objects.requireNonNull(value, "value");
        List<T> items = pane.items();
        int n = items.size();
        if (n == 0) {
            return new Stats(pane.key(), 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, pane.end());
        }
        double[] xs = new double[n];
        double sum = 0;
        double comp = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double x = value.applyAsDouble(items.get(i));
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("value " + i + " of pane " + pane.key() + " is " + x);
            }
            xs[i] = x;
            double t = sum + x;
            comp += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
            sum = t;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double total = sum + comp;
        double mean = total / n;
        double m2 = 0;
        double c = 0;
        for (double x : xs) {
            double d = (x - mean) * (x - mean);
            double t = m2 + d;
            c += Math.abs(m2) >= d ? (m2 - t) + d : (d - t) + m2;
            m2 = t;
        }
        double variance = n < 2 ? 0 : (m2 + c) / (n - 1);
        return new Stats(pane.key(), n, total, mean, variance, Math.sqrt(variance), min, max, xs[0], xs[n - 1],
                pane.end());
    }
}
