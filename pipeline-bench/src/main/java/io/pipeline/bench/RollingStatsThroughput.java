package io.pipeline.bench;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.operators.OperatorOptions;
import io.pipeline.operators.Rolling;
import io.pipeline.operators.RollingStats;
import io.pipeline.operators.Series;
import io.pipeline.operators.Stats;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Rolling statistics per key: {@link RollingStats} on a {@link SyncDispatcher} (a source processor emitting into
 * it, its STATS heard by a sink that keeps the mean) against a hand-written Welford loop over a ring per key (the
 * limit: no dispatch, no min/max, no compensated sums). One invocation is one event; events are 1 ms apart in
 * event time and go round-robin over the keys, so a 60 s time window holds 60,000 values of one key or 6 of each
 * of 10,000 keys. The score is events per second; {@code -prof gc} gives bytes per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RollingStatsThroughput {
    static final Event<Sample> SAMPLE = Event.of("sample", Sample.class);
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Param({"handWelford", "rollingStats"})
    public String contender;

    /** {@code count1000}: the last 1,000 values; {@code time60s}: the last 60 s of event time. */
    @Param({"count1000", "time60s"})
    public String window;

    @Param({"1", "10000"})
    public int keys;

    /** One reading. */
    public record Sample(String key, Instant time, double value) {}

    /** What a benchmark feeds. */
    interface Contender {
        void accept(Sample sample);

        double mean();
    }

    private String[] names;
    private long n;
    private Contender target;
    private SyncDispatcher handler;

    @Setup(Level.Trial)
    public void setUp() {
        names = new String[keys];
        for (int i = 0; i < keys; i++) {
            names[i] = "sensor-" + i;
        }
        boolean count = window.equals("count1000");
        if (contender.equals("handWelford")) {
            target = count ? new HandCount(1000) : new HandTime(60_000L * 1_000_000L);
        } else {
            handler = new SyncDispatcher();
            target = new OperatorContender(handler, count ? Rolling.count(1000) : Rolling.time(Duration.ofSeconds(60)));
        }
        // fill every window once, so that the measurement sees the steady state
        long fill = count ? (long) keys * 1000 : 120_000;
        for (long i = 0; i < Math.max(fill, 100_000); i++) {
            events();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (handler != null) {
            handler.close();
        }
    }

    @Benchmark
    public double events() {
        long i = n++;
        double value = 20 + (i & 63) * 0.01;
        target.accept(new Sample(names[(int) (i % keys)], T0.plusMillis(i), value));
        return target.mean();
    }

    /** The operator, wired as a user would: a processor emitting samples, the operator, a sink. */
    static final class OperatorContender implements Contender {
        final Feed feed;
        double mean;

        OperatorContender(MessageHandler handler, Rolling window) {
            feed = new Feed("feed", handler);
            RollingStats<Sample> stats = new RollingStats<>("stats", handler,
                    Series.of(Sample::key, Sample::time, Sample::value), window,
                    OperatorOptions.defaults().withFreshState());
            feed.on(SAMPLE, stats::accept);
            stats.on(RollingStats.STATS, this::sink);
        }

        private void sink(Stats stats) {
            mean = stats.mean();
        }

        @Override
        public void accept(Sample sample) {
            feed.emit(SAMPLE, sample);
        }

        @Override
        public double mean() {
            return mean;
        }
    }

    static final class Feed extends Processor {
        Feed(String name, MessageHandler handler) {
            super(name, handler);
        }
    }

    /** The limit for count windows: one ring per key with Welford's update and downdate. */
    static final class HandCount implements Contender {
        final int size;
        final HashMap<String, Ring> rings = new HashMap<>();
        double mean;

        static final class Ring {
            final double[] values;
            int head;
            int count;
            double mean;
            double m2;

            Ring(int size) {
                values = new double[size];
            }
        }

        HandCount(int size) {
            this.size = size;
        }

        @Override
        public void accept(Sample s) {
            Ring r = rings.computeIfAbsent(s.key(), k -> new Ring(size));
            double x = s.value();
            if (r.count == size) {
                double old = r.values[r.head];
                r.count--;
                double d = old - r.mean;
                r.mean -= d / r.count;
                r.m2 -= d * (old - r.mean);
            }
            r.values[r.head] = x;
            r.head = r.head + 1 == size ? 0 : r.head + 1;
            r.count++;
            double d = x - r.mean;
            r.mean += d / r.count;
            r.m2 += d * (x - r.mean);
            mean = r.mean;
        }

        @Override
        public double mean() {
            return mean;
        }
    }

    /** The limit for time windows: a deque of (time, value) and Welford per key. */
    static final class HandTime implements Contender {
        final long sizeNanos;
        final HashMap<String, Window> windows = new HashMap<>();
        double mean;

        static final class Window {
            long[] times = new long[16];
            double[] values = new double[16];
            int head;
            int count;
            double mean;
            double m2;
        }

        HandTime(long sizeNanos) {
            this.sizeNanos = sizeNanos;
        }

        @Override
        public void accept(Sample s) {
            Window w = windows.computeIfAbsent(s.key(), k -> new Window());
            long t = s.time().getEpochSecond() * 1_000_000_000L + s.time().getNano();
            while (w.count > 0 && w.times[w.head] <= t - sizeNanos) {
                double old = w.values[w.head];
                w.head = (w.head + 1) % w.values.length;
                w.count--;
                if (w.count == 0) {
                    w.mean = 0;
                    w.m2 = 0;
                } else {
                    double d = old - w.mean;
                    w.mean -= d / w.count;
                    w.m2 -= d * (old - w.mean);
                }
            }
            if (w.count == w.values.length) {
                long[] times = new long[w.count * 2];
                double[] values = new double[w.count * 2];
                for (int i = 0; i < w.count; i++) {
                    times[i] = w.times[(w.head + i) % w.count];
                    values[i] = w.values[(w.head + i) % w.count];
                }
                w.times = times;
                w.values = values;
                w.head = 0;
            }
            int at = (w.head + w.count) % w.values.length;
            w.times[at] = t;
            w.values[at] = s.value();
            w.count++;
            double d = s.value() - w.mean;
            w.mean += d / w.count;
            w.m2 += d * (s.value() - w.mean);
            mean = w.mean;
        }

        @Override
        public double mean() {
            return mean;
        }
    }
}
