package io.pipeline.bench;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.operators.AlertRule;
import io.pipeline.operators.AnomalyDetector;
import io.pipeline.operators.Dedup;
import io.pipeline.operators.Ewma;
import io.pipeline.operators.OperatorOptions;
import io.pipeline.operators.Rolling;
import io.pipeline.operators.RollingStats;
import io.pipeline.operators.Series;
import io.pipeline.operators.ThresholdAlert;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiFunction;

/**
 * Bytes of operator state per key, measured: the heap in use after full collections, before and after 10,000
 * keys were fed into one operator (keys are strings kept alive by the harness, so not counted). Run with
 * {@code java -cp pipeline-bench/target/benchmarks.jar io.pipeline.bench.OperatorStateSize}.
 */
public final class OperatorStateSize {
    static final Event<RollingStatsThroughput.Sample> SAMPLE = RollingStatsThroughput.SAMPLE;
    static final Series<RollingStatsThroughput.Sample> SERIES = Series.of(RollingStatsThroughput.Sample::key,
            RollingStatsThroughput.Sample::time, RollingStatsThroughput.Sample::value);
    static final int KEYS = 10_000;

    private OperatorStateSize() {
    }

    public static void main(String[] args) {
        String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "sensor-" + i;
        }
        OperatorOptions fresh = OperatorOptions.defaults().withFreshState();
        measure("RollingStats count(1000), full", keys, 1000, 1, (h, n) -> new RollingStats<>(n, h, SERIES,
                Rolling.count(1000), fresh));
        measure("RollingStats count(60), full", keys, 60, 1, (h, n) -> new RollingStats<>(n, h, SERIES,
                Rolling.count(60), fresh));
        measure("RollingStats time(60 s), 60 values/key", keys, 60, 1000, (h, n) -> new RollingStats<>(n, h, SERIES,
                Rolling.time(Duration.ofSeconds(60)), fresh));
        measure("AnomalyDetector z-score, window 24", keys, 24, 1, (h, n) -> new AnomalyDetector<>(n, h, SERIES, 24));
        measure("Ewma", keys, 1, 1, (h, n) -> new Ewma<>(n, h, SERIES, Duration.ofMinutes(5), fresh));
        measure("ThresholdAlert", keys, 1, 1, (h, n) -> new ThresholdAlert<>(n, h, SERIES,
                AlertRule.above("hot", 30), fresh));
        measure("Dedup (key = the sensor and its time)", keys, 1, 1, (h, n) -> new Dedup<>(n, h,
                (RollingStatsThroughput.Sample s) -> java.util.List.of(s.key(), s.time()), Duration.ofHours(1), fresh));
    }

    /** Feeds {@code perKey} values, {@code gapMillis} apart in event time, to each key of a new operator. */
    static void measure(String what, String[] keys, int perKey, long gapMillis,
            BiFunction<MessageHandler, String, Processor> create) {
        SyncDispatcher handler = new SyncDispatcher();
        Feed feed = new Feed(handler);
        long before = usedHeap();
        Processor operator = create.apply(handler, "op");
        subscribe(feed, operator);
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        for (int v = 0; v < perKey; v++) {
            for (int k = 0; k < keys.length; k++) {
                feed.emit(SAMPLE, new RollingStatsThroughput.Sample(keys[k], t0.plusMillis(v * gapMillis + k % 7),
                        20 + (v & 7)));
            }
        }
        long after = usedHeap();
        System.out.printf("%-45s %,10d bytes/key%n", what, (after - before) / keys.length);
        handler.close();
    }

    @SuppressWarnings("unchecked")
    private static void subscribe(Feed feed, Processor operator) {
        io.pipeline.core.Listener<RollingStatsThroughput.Sample> accept;
        if (operator instanceof RollingStats<?> s) {
            accept = ((RollingStats<RollingStatsThroughput.Sample>) s)::accept;
        } else if (operator instanceof AnomalyDetector<?> s) {
            accept = ((AnomalyDetector<RollingStatsThroughput.Sample>) s)::accept;
        } else if (operator instanceof Ewma<?> s) {
            accept = ((Ewma<RollingStatsThroughput.Sample>) s)::accept;
        } else if (operator instanceof ThresholdAlert<?> s) {
            accept = ((ThresholdAlert<RollingStatsThroughput.Sample>) s)::accept;
        } else {
            accept = ((Dedup<RollingStatsThroughput.Sample>) operator)::accept;
        }
        feed.on(SAMPLE, accept);
    }

    private static long usedHeap() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static final class Feed extends Processor {
        Feed(MessageHandler handler) {
            super("feed", handler);
        }
    }
}
