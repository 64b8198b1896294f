package io.pipeline.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The ratio of {@link RollingStatsThroughput}'s contenders measured in thread CPU time rather than wall time, with
 * the two contenders interleaved in slices of 2,000,000 events in one JVM: on a machine shared with other work,
 * wall-clock throughput swings by a factor of ten between iterations, while CPU time per event and the ratio of
 * interleaved slices stay put. Prints, per configuration, each contender's median ns of CPU per event and the
 * median of the per-round ratios (hand-written ÷ operator, as a throughput ratio: 1.0 = as fast as the limit).
 *
 * <pre>{@code java -Xms1g -Xmx1g -cp pipeline-bench/target/benchmarks.jar io.pipeline.bench.RollingStatsRatio}</pre>
 */
public final class RollingStatsRatio {
    private static final int SLICE = 2_000_000;
    private static final int WARM_ROUNDS = 4;
    private static final int ROUNDS = 9;
    /** Where the results go, so that the JIT cannot drop the work. */
    static volatile double blackhole;

    private RollingStatsRatio() {
    }

    public static void main(String[] args) {
        String[][] configs = {{"count1000", "1"}, {"time60s", "1"}, {"count1000", "10000"}, {"time60s", "10000"}};
        System.out.printf("%-10s %6s %14s %14s %8s%n", "window", "keys", "hand ns/event", "op ns/event", "ratio");
        for (String[] config : configs) {
            run(config[0], Integer.parseInt(config[1]));
        }
    }

    static void run(String window, int keys) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        RollingStatsThroughput[] contenders = new RollingStatsThroughput[2];
        String[] names = {"handWelford", "rollingStats"};
        for (int c = 0; c < 2; c++) {
            contenders[c] = new RollingStatsThroughput();
            contenders[c].contender = names[c];
            contenders[c].window = window;
            contenders[c].keys = keys;
            contenders[c].setUp();
        }
        double[][] ns = new double[2][ROUNDS];
        double[] ratios = new double[ROUNDS];
        double sink = 0;
        for (int round = 0; round < WARM_ROUNDS + ROUNDS; round++) {
            double[] slice = new double[2];
            for (int k = 0; k < 2; k++) {
                int c = (round + k) % 2; // alternate which goes first
                long start = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < SLICE; i++) {
                    sink += contenders[c].events();
                }
                slice[c] = (mx.getCurrentThreadCpuTime() - start) / (double) SLICE;
            }
            if (round >= WARM_ROUNDS) {
                int r = round - WARM_ROUNDS;
                ns[0][r] = slice[0];
                ns[1][r] = slice[1];
                ratios[r] = slice[0] / slice[1];
            }
        }
        for (RollingStatsThroughput contender : contenders) {
            contender.tearDown();
        }
        System.out.printf("%-10s %6d %14.1f %14.1f %8.2f   (rounds: %s)%s%n", window, keys, median(ns[0]), median(ns[1]),
                median(ratios), Arrays.toString(Arrays.stream(ratios).map(x -> Math.round(x * 100) / 100.0).toArray()),
                "");
        blackhole = sink;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
