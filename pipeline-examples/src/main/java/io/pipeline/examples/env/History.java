package io.pipeline.examples.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What the page shows, kept in memory: per location and sensor the last {@value #POINTS_PER_SERIES} readings with
 * their rolling statistics, the last anomalies and alerts; and the queries of the page's JSON endpoint over them
 * (a time range, raw or as 1- or 5-minute means). It is filled from the history file at start ({@link #read}) and
 * then live.
 *
 * <p>This class is thread-safe.
 */
final class History {
    static final int POINTS_PER_SERIES = 50_000;
    static final int EVENTS_KEPT = 2_000;

    /** One point of a chart: a reading's time and value with the rolling mean and standard deviation then. */
    record Point(Instant t, double v, double mean, double std) {}

    /** How points are aggregated. */
    enum Aggregation {
        RAW(Duration.ZERO), ONE_MINUTE(Duration.ofMinutes(1)), FIVE_MINUTES(Duration.ofMinutes(5));

        final Duration bucket;

        Aggregation(Duration bucket) {
            this.bucket = bucket;
        }

        /** {@code raw}, {@code 1m} or {@code 5m}. */
        static Aggregation parse(String text) {
            return switch (text) {
                case "raw" -> RAW;
                case "1m" -> ONE_MINUTE;
                case "5m" -> FIVE_MINUTES;
                default -> throw new IllegalArgumentException("aggregation must be raw, 1m or 5m: '" + text + "'");
            };
        }
    }

    private final Map<String, Deque<Point>> series = new HashMap<>(); // guarded by this
    private final Deque<Anomaly> anomalies = new ArrayDeque<>(); // guarded by this
    private final Deque<Alert> alerts = new ArrayDeque<>(); // guarded by this

    synchronized void add(Stats stats) {
        Deque<Point> points = series.computeIfAbsent(stats.location() + "/" + stats.sensor(), k -> new ArrayDeque<>());
        if (points.size() == POINTS_PER_SERIES) {
            points.removeFirst();
        }
        points.addLast(new Point(stats.time(), stats.value(), stats.mean(), stats.std()));
    }

    synchronized void add(Anomaly anomaly) {
        if (anomalies.size() == EVENTS_KEPT) {
            anomalies.removeFirst();
        }
        anomalies.addLast(anomaly);
    }

    synchronized void add(Alert alert) {
        if (alerts.size() == EVENTS_KEPT) {
            alerts.removeFirst();
        }
        alerts.addLast(alert);
    }

    /** The readings of a location's sensor within {@code range} of its latest one, aggregated. */
    synchronized List<Point> points(String location, String sensor, Duration range, Aggregation aggregation) {
        Deque<Point> points = series.getOrDefault(location + "/" + sensor, new ArrayDeque<>());
        if (points.isEmpty()) {
            return List.of();
        }
        Instant from = points.getLast().t().minus(range);
        List<Point> inRange = new ArrayList<>();
        for (Iterator<Point> it = points.descendingIterator(); it.hasNext(); ) {
            Point point = it.next();
            if (point.t().isBefore(from)) {
                break;
            }
            inRange.add(point);
        }
        java.util.Collections.reverse(inRange);
        return aggregation == Aggregation.RAW ? inRange : aggregate(inRange, aggregation.bucket);
    }

    /** Means per bucket, stamped with the bucket's start. */
    static List<Point> aggregate(List<Point> points, Duration bucket) {
        List<Point> means = new ArrayList<>();
        long size = bucket.toMillis();
        long current = Long.MIN_VALUE;
        double v = 0;
        double mean = 0;
        double std = 0;
        int n = 0;
        for (Point point : points) {
            long start = Math.floorDiv(point.t().toEpochMilli(), size) * size;
            if (start != current && n > 0) {
                means.add(new Point(Instant.ofEpochMilli(current), v / n, mean / n, std / n));
                v = 0;
                mean = 0;
                std = 0;
                n = 0;
            }
            current = start;
            v += point.v();
            mean += point.mean();
            std += point.std();
            n++;
        }
        if (n > 0) {
            means.add(new Point(Instant.ofEpochMilli(current), v / n, mean / n, std / n));
        }
        return means;
    }

    /** The anomalies of a location's sensor at or after {@code from}, oldest first. */
    synchronized List<Anomaly> anomalies(String location, String sensor, Instant from) {
        return anomalies.stream().filter(a -> a.location().equals(location) && a.sensor().equals(sensor)
                && !a.time().isBefore(from)).toList();
    }

    /** The last {@code limit} alerts, newest first. */
    synchronized List<Alert> alerts(int limit) {
        List<Alert> newest = new ArrayList<>(Math.min(limit, alerts.size()));
        for (Iterator<Alert> it = alerts.descendingIterator(); it.hasNext() && newest.size() < limit; ) {
            newest.add(it.next());
        }
        return newest;
    }

    /**
     * The readings in a history file, in file order; lines that are not readings (a foreign line, a line cut short
     * by a crash) are skipped and counted in {@code skipped}. A missing file has none.
     *
     * @throws UncheckedIOException if the file cannot be read
     */
    static List<Reading> read(Path file, ObjectMapper mapper, int[] skipped) {
        List<Reading> readings = new ArrayList<>();
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode node = mapper.readTree(line);
                    readings.add(new Reading(Instant.parse(node.path("time").asText()),
                            node.path("location").asText(), node.path("sensor").asText(),
                            node.path("value").asDouble(Double.NaN), node.path("unit").asText("")));
                } catch (IOException | DateTimeParseException | IllegalArgumentException e) {
                    skipped[0]++;
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the history file " + file + ": " + e.getMessage(), e);
        }
        return readings;
    }
}
