package io.pipeline.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Interleaved, paired rounds for the harnesses that compare whole runs (outputs, ingest). Every round runs every
 * contender once, each right next to a run of its baseline (baseline first in every other pair), the order of
 * contenders rotating by one each round: a burst of other load on a shared machine then hits a contender and the
 * baseline it is compared with alike, and drift (heap growth, JIT) hits every contender alike. Warm-up rounds run
 * the same way, unrecorded. A contender's score is the median of its runs; its ratio is the median over its runs
 * of (its rate / the rate of the baseline run paired with it).
 */
final class Rounds {
    /** One run of a contender: returns what it measured. */
    interface Trial {
        Measurement run() throws Exception;
    }

    /** What one run measured: {@code units} done in {@code nanos}, {@code allocated} bytes allocated (or -1). */
    record Measurement(long units, long nanos, long allocated) {
        double perSecond() {
            return units * 1e9 / nanos;
        }

        double bytesPerUnit() {
            return allocated < 0 ? Double.NaN : (double) allocated / units;
        }
    }

    /** A contender, compared with the contender named {@code baseline} (itself for a baseline). */
    record Contender(String name, String baseline, Trial trial) {}

    /** A contender's rounds. */
    record Result(Contender contender, List<Measurement> rounds, List<Double> ratios) {
        double medianPerSecond() {
            return median(rounds.stream().mapToDouble(Measurement::perSecond).toArray());
        }

        double medianRatio() {
            return median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
        }

        double medianBytesPerUnit() {
            return median(rounds.stream().mapToDouble(Measurement::bytesPerUnit).toArray());
        }
    }

    private Rounds() {}

    static List<Result> run(List<Contender> contenders, int warmups, int rounds, PrintStream log) throws Exception {
        Map<String, Contender> byName = new LinkedHashMap<>();
        Map<String, List<Measurement>> measured = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        contenders.forEach(c -> {
            byName.put(c.name(), c);
            measured.put(c.name(), new ArrayList<>());
            ratios.put(c.name(), new ArrayList<>());
        });
        List<Contender> compared = contenders.stream().filter(c -> !c.name().equals(c.baseline())).toList();
        for (int round = 0; round < warmups + rounds; round++) {
            boolean warmup = round < warmups;
            for (int k = 0; k < compared.size(); k++) {
                Contender contender = compared.get((k + round) % compared.size());
                Contender baseline = byName.get(contender.baseline());
                boolean baselineFirst = (round + k) % 2 == 0;
                Measurement first = measure(baselineFirst ? baseline : contender, warmup, round - warmups, log);
                Measurement second = measure(baselineFirst ? contender : baseline, warmup, round - warmups, log);
                if (warmup) {
                    continue;
                }
                Measurement base = baselineFirst ? first : second;
                Measurement mine = baselineFirst ? second : first;
                measured.get(baseline.name()).add(base);
                ratios.get(baseline.name()).add(1.0);
                measured.get(contender.name()).add(mine);
                ratios.get(contender.name()).add(mine.perSecond() / base.perSecond());
            }
        }
        List<Result> results = new ArrayList<>();
        for (Contender contender : contenders) {
            results.add(new Result(contender, measured.get(contender.name()), ratios.get(contender.name())));
        }
        return results;
    }

    private static Measurement measure(Contender contender, boolean warmup, int round, PrintStream log)
            throws Exception {
        System.gc(); // start each run with a similar heap
        Measurement m = contender.trial().run();
        log.printf(Locale.ROOT, "%s round %d %-22s %,12.0f /s %8.1f B/unit%n", warmup ? "warmup" : "      ",
                round + 1, contender.name(), m.perSecond(), m.bytesPerUnit());
        return m;
    }

    static void print(List<Result> results, String unit, PrintStream out) {
        out.printf(Locale.ROOT, "%-22s %14s %10s %12s   (medians; ratios to the paired baseline run)%n",
                "contender", unit + "/s", "ratio", "B/" + unit);
        for (Result r : results) {
            out.printf(Locale.ROOT, "%-22s %,14.0f %9.2fx %12.1f   vs %s%n", r.contender().name(), r.medianPerSecond(),
                    r.medianRatio(), r.medianBytesPerUnit(), r.contender().baseline());
        }
    }

    static void writeJson(List<Result> results, String harness, Map<String, Object> settings, Path file)
            throws IOException {
        StringBuilder json = new StringBuilder("{\n  \"harness\": \"").append(harness).append("\",\n");
        json.append("  \"settings\": {");
        int i = 0;
        for (Map.Entry<String, Object> e : settings.entrySet()) {
            json.append(i++ == 0 ? "" : ", ").append('"').append(e.getKey()).append("\": \"").append(e.getValue())
                    .append('"');
        }
        json.append("},\n  \"results\": [\n");
        for (int k = 0; k < results.size(); k++) {
            Result r = results.get(k);
            json.append(String.format(Locale.ROOT, "    {\"contender\": \"%s\", \"baseline\": \"%s\", "
                    + "\"medianPerSecond\": %.1f, \"medianRatio\": %.4f, \"medianBytesPerUnit\": %s, "
                    + "\"perSecond\": %s, \"ratios\": %s}%s%n", r.contender().name(), r.contender().baseline(),
                    r.medianPerSecond(), r.medianRatio(), number(r.medianBytesPerUnit()),
                    Arrays.toString(r.rounds().stream().mapToLong(m -> Math.round(m.perSecond())).toArray()),
                    r.ratios().stream().map(d -> String.format(Locale.ROOT, "%.4f", d)).toList(),
                    k + 1 < results.size() ? "," : ""));
        }
        json.append("  ]\n}\n");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, json);
    }

    private static String number(double d) {
        return Double.isNaN(d) ? "null" : String.format(Locale.ROOT, "%.1f", d);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
