package io.pipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * End-to-end latency per event at a fixed offered rate. The publisher sends event {@code i} at
 * {@code start + i / rate} (busy-waiting until then) and stamps the event with that intended time, so a stalled
 * consumer is charged for every event it delays (no coordinated omission). The sink records
 * {@code nanoTime() - timestamp} in an HdrHistogram on the consumer thread. Events sent during the warm-up are not
 * recorded.
 *
 * <pre>
 * java -cp benchmarks.jar io.pipeline.bench.LatencyHarness [--out FILE] [--warmup SECONDS] [--measure SECONDS]
 *     [--rates 100000,1000000] [--contenders REGEX]
 * </pre>
 */
public final class LatencyHarness {
    static final List<String> CONTENDERS =
            List.of("asyncDispatcher", "disruptorBlocking", "reactorPublishOn", "rxJavaObserveOn");

    private LatencyHarness() {}

    /** Records latencies of events whose intended send time is at or after {@code recordFrom}. */
    static final class RecordingSink implements Terminal {
        final Histogram histogram = new Histogram(60_000_000_000L, 3);
        private final CountingSink counter = new CountingSink();
        private final long recordFrom;

        RecordingSink(long recordFrom) {
            this.recordFrom = recordFrom;
        }

        @Override
        public void accept(Priced priced) {
            long now = System.nanoTime();
            if (priced.timestamp() >= recordFrom) {
                histogram.recordValue(Math.max(0, now - priced.timestamp()));
            }
            counter.accept(priced);
        }
    }

    record Result(String contender, long rate, long count, double p50Micros, double p99Micros, double p999Micros,
            double maxMicros) {
        String toJson() {
            return String.format(Locale.ROOT,
                    "{\"contender\": \"%s\", \"rate\": %d, \"count\": %d, \"p50_us\": %.3f, \"p99_us\": %.3f, "
                            + "\"p999_us\": %.3f, \"max_us\": %.3f}",
                    contender, rate, count, p50Micros, p99Micros, p999Micros, maxMicros);
        }
    }

    static Result run(String contender, long rate, double warmupSeconds, double measureSeconds) {
        long interval = 1_000_000_000L / rate;
        long warmupEvents = (long) (warmupSeconds * rate);
        long total = warmupEvents + (long) (measureSeconds * rate);
        long start = System.nanoTime() + 50_000_000L;
        RecordingSink sink = new RecordingSink(start + warmupEvents * interval);
        sink.counter.expect(total);
        try (Pipeline pipeline = Pipelines.create(contender, sink)) {
            for (long i = 0; i < total; i++) {
                long due = start + i * interval;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                pipeline.publish(new Tick(due, 100.0 + (i & 63)));
            }
            sink.counter.await();
        }
        Histogram h = sink.histogram;
        return new Result(contender, rate, h.getTotalCount(), h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        double warmup = 3;
        double measure = 5;
        List<Long> rates = List.of(100_000L, 1_000_000L);
        Pattern filter = Pattern.compile(".*");
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--out" -> out = Path.of(value);
                case "--warmup" -> warmup = Double.parseDouble(value);
                case "--measure" -> measure = Double.parseDouble(value);
                case "--rates" -> rates = java.util.Arrays.stream(value.split(",")).map(Long::parseLong).toList();
                case "--contenders" -> filter = Pattern.compile(value);
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
            i++;
        }
        List<String> lines = new ArrayList<>();
        for (long rate : rates) {
            for (String contender : CONTENDERS) {
                if (!filter.matcher(contender).find()) {
                    continue;
                }
                Result r = run(contender, rate, warmup, measure);
                System.out.printf(Locale.ROOT, "%-20s %,10d ev/s  n=%,d  p50=%9.1f us  p99=%9.1f us  p99.9=%9.1f us  max=%9.1f us%n",
                        r.contender(), r.rate(), r.count(), r.p50Micros(), r.p99Micros(), r.p999Micros(), r.maxMicros());
                lines.add("  " + r.toJson());
            }
        }
        String json = "[\n" + String.join(",\n", lines) + "\n]\n";
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, json);
        }
    }
}
