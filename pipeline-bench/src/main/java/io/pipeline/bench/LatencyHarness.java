package io.pipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * End-to-end latency per event at a fixed offered rate. The publisher sends event {@code i} at
 * {@code start + i / rate} (busy-waiting until then) and stamps the event with that intended time, so a stalled
 * consumer is charged for every event it delays (no coordinated omission). The sink records
 * {@code nanoTime() - timestamp} in an HdrHistogram on the consumer thread. Events sent during a run's warm-up are
 * not recorded.
 *
 * <p>Fairness between contenders sharing one JVM: a priming pass first runs every contender once, unrecorded (the
 * first pipeline run in a fresh JVM pays for JIT compilation and heap sizing in its tail, whoever it is); then
 * {@code --rounds} rounds measure every contender at every rate, the order of contenders rotating by one each round.
 * Each percentile reported is the median over the rounds; {@code max} is the largest seen in any round.
 *
 * <pre>
 * java -cp benchmarks.jar io.pipeline.bench.LatencyHarness [--out FILE] [--warmup SECONDS] [--measure SECONDS]
 *     [--rates 100000,1000000] [--rounds 3] [--contenders REGEX]
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

    /** One measured run. */
    record Result(String contender, long rate, long count, double p50Micros, double p99Micros, double p999Micros,
            double maxMicros) {}

    /** The runs of one contender at one rate, summarised: medians of the percentiles, the largest max. */
    record Summary(String contender, long rate, List<Result> rounds) {
        long count() {
            return rounds.stream().mapToLong(Result::count).sum();
        }

        double p50Micros() {
            return median(rounds.stream().mapToDouble(Result::p50Micros).toArray());
        }

        double p99Micros() {
            return median(rounds.stream().mapToDouble(Result::p99Micros).toArray());
        }

        double p999Micros() {
            return median(rounds.stream().mapToDouble(Result::p999Micros).toArray());
        }

        double maxMicros() {
            return rounds.stream().mapToDouble(Result::maxMicros).max().orElse(0);
        }

        String toJson() {
            StringBuilder p99s = new StringBuilder();
            for (Result r : rounds) {
                p99s.append(p99s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", r.p99Micros()));
            }
            return String.format(Locale.ROOT,
                    "{\"contender\": \"%s\", \"rate\": %d, \"count\": %d, \"rounds\": %d, \"p50_us\": %.3f, "
                            + "\"p99_us\": %.3f, \"p999_us\": %.3f, \"max_us\": %.3f, \"p99_us_by_round\": [%s]}",
                    contender, rate, count(), rounds.size(), p50Micros(), p99Micros(), p999Micros(), maxMicros(),
                    p99s);
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
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
        int roundCount = 3;
        List<Long> rates = List.of(100_000L, 1_000_000L);
        Pattern filter = Pattern.compile(".*");
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                throw new IllegalArgumentException("missing value after " + args[i]);
            }
            switch (args[i]) {
                case "--out" -> out = Path.of(value);
                case "--warmup" -> warmup = Double.parseDouble(value);
                case "--measure" -> measure = Double.parseDouble(value);
                case "--rounds" -> roundCount = Integer.parseInt(value);
                case "--rates" -> rates = Arrays.stream(value.split(",")).map(Long::parseLong).toList();
                case "--contenders" -> filter = Pattern.compile(value);
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
            i++;
        }
        if (roundCount < 1) {
            throw new IllegalArgumentException("--rounds must be at least 1, was " + roundCount);
        }
        Pattern selected = filter;
        List<String> contenders = CONTENDERS.stream().filter(c -> selected.matcher(c).find()).toList();
        if (contenders.isEmpty()) {
            throw new IllegalArgumentException("no contender matches " + selected + "; contenders: " + CONTENDERS);
        }

        for (String contender : contenders) {
            run(contender, rates.get(0), warmup, 0);
        }
        Map<String, List<Result>> results = new LinkedHashMap<>();
        for (int round = 0; round < roundCount; round++) {
            for (long rate : rates) {
                for (int k = 0; k < contenders.size(); k++) {
                    String contender = contenders.get((k + round) % contenders.size());
                    Result r = run(contender, rate, warmup, measure);
                    System.out.printf(Locale.ROOT,
                            "round %d  %-20s %,10d ev/s  n=%,d  p50=%9.1f us  p99=%9.1f us  p99.9=%9.1f us  max=%9.1f us%n",
                            round + 1, r.contender(), r.rate(), r.count(), r.p50Micros(), r.p99Micros(),
                            r.p999Micros(), r.maxMicros());
                    results.computeIfAbsent(contender + "@" + rate, key -> new ArrayList<>()).add(r);
                }
            }
        }

        List<String> lines = new ArrayList<>();
        System.out.println("medians over " + roundCount + " round(s):");
        for (long rate : rates) {
            for (String contender : contenders) {
                Summary summary = new Summary(contender, rate, results.get(contender + "@" + rate));
                System.out.printf(Locale.ROOT, "%-20s %,10d ev/s  p50=%9.1f us  p99=%9.1f us  p99.9=%9.1f us  max=%9.1f us%n",
                        contender, rate, summary.p50Micros(), summary.p99Micros(), summary.p999Micros(),
                        summary.maxMicros());
                lines.add("  " + summary.toJson());
            }
        }
        String json = "[\n" + String.join(",\n", lines) + "\n]\n";
        if (out != null) {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(out, json);
        }
    }
}
