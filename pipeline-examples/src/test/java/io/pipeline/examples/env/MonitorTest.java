package io.pipeline.examples.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.SseSource;
import io.pipeline.testing.ThreadLeaks;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole monitor in this JVM against its embedded simulator: readings, analytics, alerts, history, events. */
class MonitorTest {
    private static final Duration INTERVAL = Duration.ofMillis(50);
    /** Past the planted episode's end (step 55) and its clearing reading (56), well before the next cycle's. */
    private static final int STEPS = 64;

    @TempDir
    Path dir;

    private final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    private final ObjectMapper mapper = new ObjectMapper();
    private Monitor monitor;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (monitor != null) {
            monitor.close();
        }
        assertNoMonitorThreadAlive();
    }

    static MonitorConfig config(Path history, Duration interval) {
        return config(history, interval, Duration.ofSeconds(10));
    }

    static MonitorConfig config(Path history, Duration interval, Duration staleAfter) {
        return new MonitorConfig(Location.DEFAULTS, interval, history, false, null,
                InetAddress.getLoopbackAddress(), 0, Threshold.DEFAULTS, staleAfter, 42, 5,
                RestartPolicy.backoff(Duration.ofMillis(10), Duration.ofMillis(50)), Clock.systemUTC());
    }

    private Monitor start(Path history) {
        monitor = Monitor.start(config(history, INTERVAL), new MonitorConsole(lines::add, Clock.systemUTC()));
        return monitor;
    }

    private static void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    private static void await(String what, BooleanSupplier condition, java.util.function.Supplier<String> detail) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within 30 s: " + what + " " + detail.get());
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    private boolean everyLocationHas(int readings, String sensor) {
        return Location.DEFAULTS.stream().allMatch(location ->
                monitor.history().points(location.name(), sensor, Duration.ofDays(1), History.Aggregation.RAW).size()
                        >= readings);
    }

    @Test
    void plantedEpisode_raisesAndClearsExactlyOneAlertPerLocation_andTheSpikeIsAnAnomaly() throws Exception {
        start(dir.resolve("history.jsonl"));
        await(STEPS + " readings of every location", () -> everyLocationHas(STEPS, "pm2_5")
                && everyLocationHas(STEPS, "temperature_2m"));
        monitor.close();
        WeatherSimulator simulator = monitor.simulator();

        List<Alert> alerts = new ArrayList<>(monitor.history().alerts(1000));
        alerts.sort(Comparator.comparing(Alert::location).thenComparing(Alert::time));
        List<String> expected = new ArrayList<>();
        for (String location : List.of("Berlin", "Delhi", "London")) {
            expected.add(location + " pm2_5 RAISED " + simulator.timeOf(WeatherSimulator.EPISODE_FIRST));
            expected.add(location + " pm2_5 CLEARED " + simulator.timeOf(WeatherSimulator.EPISODE_LAST + 1));
        }
        assertThat(alerts).extracting(a -> a.location() + " " + a.subject() + " " + a.state() + " " + a.time())
                .containsExactlyElementsOf(expected);
        assertThat(alerts).allSatisfy(alert -> assertThat(alert.kind()).isEqualTo(Alert.Kind.THRESHOLD));

        for (Location location : Location.DEFAULTS) {
            Map<String, List<Long>> steps = new java.util.TreeMap<>();
            for (Sensor sensor : Sensor.values()) {
                steps.put(sensor.id(), monitor.history().anomalies(location.name(), sensor.id(), Instant.EPOCH)
                        .stream().map(a -> simulator.stepOf(a.time())).toList());
            }
            // The spike, and the episode's first two readings (the window then holds one high value, not enough).
            assertThat(steps).as("anomalies by sensor and step at %s", location.name())
                    .containsEntry("temperature_2m", List.of((long) WeatherSimulator.SPIKE_STEP))
                    .containsEntry("relative_humidity_2m", List.of())
                    .containsEntry("wind_speed_10m", List.of())
                    .containsEntry("pm2_5", episodeStart())
                    .containsEntry("pm10", episodeStart())
                    .containsEntry("european_aqi", episodeStart());
        }
        String printed = String.join("\n", printed());
        assertThat(printed).contains("*** ALERT RAISED  Berlin pm2_5 ").contains("*** ALERT CLEARED  Berlin pm2_5 ")
                .contains("ANOMALY  Berlin temperature_2m");
    }

    private static List<Long> episodeStart() {
        return List.of((long) WeatherSimulator.EPISODE_FIRST, WeatherSimulator.EPISODE_FIRST + 1L);
    }

    @Test
    void oneManagerPerLocation_fansInBothFeeds() {
        start(dir.resolve("history.jsonl"));
        await("weather and air quality of every location", () -> everyLocationHas(3, "pm2_5")
                && everyLocationHas(3, "temperature_2m"));
        assertThat(monitor.flow().status()).extracting(io.pipeline.core.ManagerStatus::name)
                .containsExactlyInAnyOrder("env-berlin", "env-london", "env-delhi");
    }

    @Test
    void historyFile_holdsEveryReading_onceEach_inStepOrder_andAStartReadsItBackWarm() throws Exception {
        Path history = dir.resolve("history.jsonl");
        start(history);
        await("20 readings of every location", () -> everyLocationHas(20, "pm2_5"));
        monitor.close();
        Instant firstRunStart = monitor.simulator().timeOf(0);

        List<JsonNode> written = readLines(history);
        assertThat((long) written.size()).as("one line per reading printed").isEqualTo(printedReadings());
        Map<String, List<String>> bySeries = written.stream().collect(Collectors.groupingBy(
                node -> node.path("location").asText() + "/" + node.path("sensor").asText(),
                Collectors.mapping(node -> node.path("time").asText(), Collectors.toList())));
        assertThat(bySeries).hasSize(Location.DEFAULTS.size() * Sensor.values().length);
        WeatherSimulator simulator = monitor.simulator();
        bySeries.forEach((series, times) -> assertThat(times).as(series).isEqualTo(IntStream.range(0, times.size())
                .mapToObj(k -> simulator.timeOf(k).toString()).toList()));

        lines.clear();
        start(history);
        assertThat(printed()).anyMatch(line -> line.contains("(" + written.size() + " readings read back)"));
        List<History.Point> warm = monitor.history().points("Berlin", "pm2_5", Duration.ofDays(1),
                History.Aggregation.RAW);
        assertThat(warm.get(0).t()).isEqualTo(firstRunStart);
        await("a new reading after the backfill", () -> printed().stream().anyMatch(line -> line.contains(" Berlin ")
                && line.contains(" pm2_5 ")));
        monitor.close();
        assertThat(readLines(history)).hasSizeGreaterThan(written.size());
    }

    @Test
    void alertsAndStats_reachABrowserLikeClient_overServerSentEvents() throws Exception {
        start(dir.resolve("history.jsonl"));
        BlockingQueue<SseSource.Message> events = new LinkedBlockingQueue<>();
        try (SyncDispatcher handler = new SyncDispatcher()) {
            SseSource client = new SseSource("browser", handler, monitor.web().streamUri().toString(),
                    SseSource.Options.defaults());
            client.on(SseSource.MESSAGE, events::add);
            var running = client.start();
            try {
                List<String> types = new ArrayList<>();
                JsonNode alert = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (alert == null) {
                    SseSource.Message message = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    assertThat(message).as("an alert event within 30 s; types seen: %s", types.size()).isNotNull();
                    types.add(message.type());
                    if (message.type().equals("alert")) {
                        alert = mapper.readTree(message.data());
                    }
                }
                assertThat(types).contains("stats");
                assertThat(alert.path("subject").asText()).isEqualTo("pm2_5");
                assertThat(alert.path("state").asText()).isEqualTo("RAISED");
                assertThat(alert.path("time").asText()).isEqualTo(
                        monitor.simulator().timeOf(WeatherSimulator.EPISODE_FIRST).toString());
            } finally {
                client.stop();
                running.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void simulatorGone_everyFeedOfEveryLocationIsReportedStale_once() throws Exception {
        monitor = Monitor.start(config(dir.resolve("history.jsonl"), INTERVAL, Duration.ofSeconds(2)),
                new MonitorConsole(lines::add, Clock.systemUTC()));
        await("readings of every location", () -> everyLocationHas(3, "pm2_5")
                && everyLocationHas(3, "temperature_2m"));

        Instant closed = Instant.now();
        monitor.simulator().close(); // every poll now fails; the managers restart, and no reading comes

        await("six staleness alerts", () -> staleAlerts(closed).size() >= 6, () -> "all alerts: "
                + monitor.history().alerts(1000).stream().map(a -> a.time() + " " + a.location() + " " + a.subject()
                + " " + a.state()).toList() + " (closed at " + closed + "); " + monitor.flow().status());
        assertThat(staleAlerts(closed)).as("(a stall of the loaded machine before may have raised and cleared more)")
                .extracting(a -> a.location() + " " + a.subject() + " " + a.state())
                .containsExactlyInAnyOrder("Berlin weather RAISED", "Berlin air_quality RAISED",
                        "London weather RAISED", "London air_quality RAISED",
                        "Delhi weather RAISED", "Delhi air_quality RAISED");
        // The sink records an alert in the history before it prints it: the sixth may still be on its way out.
        await("the staleness alert printed", () -> printed().stream()
                .anyMatch(line -> line.contains("*** ALERT RAISED  Berlin air_quality: no reading for ")));
        assertThat(printed()).anyMatch(line -> line.contains("Berlin weather error: "));
    }

    /** The console lines so far: a copy, as the monitor may still be printing. */
    private List<String> printed() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    private List<Alert> staleAlerts(Instant since) {
        return monitor.history().alerts(1000).stream()
                .filter(a -> a.kind() == Alert.Kind.STALE && !a.time().isBefore(since)).toList();
    }

    private long printedReadings() {
        return printed().stream().filter(line -> line.matches("\\S+Z  \\S+ +[a-z0-9_]+ +.*trend.*")).count();
    }

    private List<JsonNode> readLines(Path file) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        for (String line : text.split("\n")) {
            nodes.add(mapper.readTree(line));
        }
        return nodes;
    }

    static void assertNoMonitorThreadAlive() throws InterruptedException {
        ThreadLeaks.assertNoneAlive(name -> name.startsWith("env-monitor-") || name.equals("weather-simulator")
                || name.startsWith("pipeline-env-monitor") || name.startsWith("pipeline-dispatcher-")
                || name.startsWith("pipeline-flow-"), Duration.ofSeconds(10));
    }
}
