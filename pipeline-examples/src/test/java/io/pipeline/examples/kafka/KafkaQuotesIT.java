package io.pipeline.examples.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.examples.stock.Console;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The split stock ticker on an in-process broker: the poller and two writers in this JVM, a third writer run
 * from the packaged {@code kafka-quotes.jar} (needs {@code mvn package}) and stopped with SIGTERM.
 */
class KafkaQuotesIT {
    private static final Path JAR = Path.of(System.getProperty("kafkaQuotes.jar", "target/kafka-quotes.jar"))
            .toAbsolutePath();
    private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META");

    private static KafkaClusterTestKit cluster;

    @BeforeAll
    static void startBroker() throws Exception {
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        cluster.close();
    }

    @Test
    void pollerAndThreeWriters_everyQuoteLandsInACsvFile_inOrderPerSymbol(@TempDir Path dir) throws Exception {
        String servers = cluster.bootstrapServers();
        List<String> printed = java.util.Collections.synchronizedList(new ArrayList<>());
        Console console = new Console(printed::add, Clock.systemUTC());
        Path jarOut = dir.resolve("writer-3.csv");
        Process jarWriter = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "writer", "--bootstrap-servers", servers, "--out", jarOut.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("writer-3.log").toFile()).start();
        QuotePoller poller = null;
        List<QuoteWriter> writers = new ArrayList<>();
        try {
            poller = QuotePoller.start(new QuotePoller.Config(servers, "quotes", 6, SYMBOLS, Duration.ofMillis(100),
                    null), console);
            for (int i = 1; i <= 2; i++) {
                writers.add(QuoteWriter.start(new QuoteWriter.Config(servers, "quotes", "quote-writers",
                        dir.resolve("writer-" + i + ".csv")), console));
            }
            await("all three writers have rows", () -> rows(jarOut).size() > 0
                    && rows(dir.resolve("writer-1.csv")).size() + rows(dir.resolve("writer-2.csv")).size() > 0);
            jarWriter.destroy(); // SIGTERM: the shutdown hook commits, leaves the group, closes the file
            assertThat(jarWriter.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(jarWriter.exitValue()).as(Files.readString(dir.resolve("writer-3.log"))).isZero();
            long afterStop = poller.sent();
            await("the others write on", () -> rowsOf(dir, 1, 2).size() > afterStop / 2 + 30);
        } finally {
            if (poller != null) {
                poller.close();
            }
            long sent = poller == null ? 0 : poller.sent();
            await("every quote the poller sent is written", () -> distinct(dir) >= sent);
            writers.forEach(QuoteWriter::close);
            if (jarWriter.isAlive()) {
                jarWriter.destroyForcibly();
            }
        }
        Map<String, Instant> last = new HashMap<>();
        for (int i = 1; i <= 3; i++) {
            last.clear();
            for (List<String> row : rows(dir.resolve("writer-" + i + ".csv"))) {
                Instant time = Instant.parse(row.get(0));
                Instant previous = last.put(row.get(2), time);
                assertThat(previous == null || !time.isBefore(previous)).as("writer-%d, %s", i, row).isTrue();
            }
        }
        assertThat(rowsOf(dir, 1, 2, 3).stream().map(row -> row.get(2)).distinct()).containsExactlyInAnyOrderElementsOf(SYMBOLS);
        assertThat(printed).anyMatch(line -> line.contains("quote-writer: stopped"));
    }

    private static List<List<String>> rows(Path csv) throws Exception {
        if (!Files.exists(csv)) {
            return List.of();
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            rows.add(List.of(line.split(",", -1)));
        }
        return rows;
    }

    private static List<List<String>> rowsOf(Path dir, int... writers) throws Exception {
        List<List<String>> rows = new ArrayList<>();
        for (int i : writers) {
            rows.addAll(rows(dir.resolve("writer-" + i + ".csv")));
        }
        return rows;
    }

    /** Distinct quotes (symbol and poll time) over every writer's file. */
    private static long distinct(Path dir) throws Exception {
        return rowsOf(dir, 1, 2, 3).stream().map(row -> row.get(2) + row.get(0)).distinct().count();
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Files written by other threads and processes: checked every 50 ms, for up to 60 s. */
    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            LockSupport.parkNanos(50_000_000L);
        }
    }
}
