package io.pipeline.operators;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;

/** Two-pass statistics in BigDecimal arithmetic: the reference numeric tests compare against. */
record Exact(int count, double sum, double mean, double variance, double min, double max, double absSum) {
    private static final MathContext MC = new MathContext(60);

    static Exact of(List<Double> values) {
        int n = values.size();
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal abs = BigDecimal.ZERO;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            BigDecimal x = new BigDecimal(v);
            sum = sum.add(x);
            abs = abs.add(x.abs());
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        BigDecimal mean = sum.divide(BigDecimal.valueOf(n), MC);
        BigDecimal m2 = BigDecimal.ZERO;
        for (double v : values) {
            BigDecimal d = new BigDecimal(v).subtract(mean);
            m2 = m2.add(d.multiply(d));
        }
        double variance = n < 2 ? 0 : m2.divide(BigDecimal.valueOf(n - 1), MC).doubleValue();
        return new Exact(n, sum.doubleValue(), mean.doubleValue(), variance, min, max, abs.doubleValue());
    }
}
