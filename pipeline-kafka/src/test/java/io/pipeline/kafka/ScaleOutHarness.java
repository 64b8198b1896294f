package io.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale-out curve: records per second handled by a consumer group when each record takes 1 ms of simulated
 * I/O (an async listener completing 1 ms later), with 1, 2 and 3 consumer processes of one pipeline each, and
 * with 1 process of 3 pipelines (managers). Not part of the normal build: run it with
 * {@code ./mvnw -B -ntp -pl pipeline-kafka -am verify -Pscale-out} (docs/BENCHMARKS.md).
 *
 * <p>Each round: a fresh 6-partition topic and group; the members start and join; once every partition is
 * assigned, the producer pipeline writes {@code records} records; the rate is records ÷ (last handled − first
 * handled), by the members' own wall-clock stamps. Rounds rotate the configurations; the median is reported.
 */
class ScaleOutHarness {
    private static final int PARTITIONS = 6;
    private static final int RECORDS = Integer.getInteger("scaleOut.records", 6_000);
    private static final int ROUNDS = Integer.getInteger("scaleOut.rounds", 3);
    private static final long HANDLE_MICROS = Long.getLong("scaleOut.handleMicros", 1_000);

    /** Processes × managers per process. */
    private record Shape(int processes, int managers) {
        String label() {
            return processes + " process" + (processes > 1 ? "es" : "") + " × " + managers + " manager"
                    + (managers > 1 ? "s" : "");
        }
    }

    private static final List<Shape> SHAPES = List.of(new Shape(1, 1), new Shape(2, 1), new Shape(3, 1),
            new Shape(1, 3));

    private static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void scaleOutCurve(@TempDir Path dir) throws Exception {
        double[][] rates = new double[SHAPES.size()][ROUNDS];
        runRound(dir, new Shape(1, 1), "warmup"); // the broker's and the file system's first run
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < SHAPES.size(); i++) {
                int index = (i + round) % SHAPES.size();
                rates[index][round] = runRound(dir, SHAPES.get(index), "r" + round + "s" + index);
            }
        }
        StringBuilder report = new StringBuilder();
        report.append(String.format("scale-out, %s, %d records, %d partitions, %d µs of I/O per record, %d rounds%n",
                Instant.now(), RECORDS, PARTITIONS, HANDLE_MICROS, ROUNDS));
        report.append("| consumers | records/s (median) | rounds | × 1 process |\n|---|---|---|---|\n");
        double baseline = median(rates[0]);
        for (int i = 0; i < SHAPES.size(); i++) {
            double median = median(rates[i]);
            report.append(String.format("| %s | %,.0f | %s | %.2f× |%n", SHAPES.get(i).label(), median,
                    Arrays.stream(rates[i]).mapToObj(r -> String.format("%,.0f", r)).toList(), median / baseline));
        }
        System.out.print(report);
        Path results = Path.of("target", "scale-out.md");
        Files.writeString(results, report, StandardCharsets.UTF_8);
        assertThat(median(rates[2])).as("3 processes beat 1").isGreaterThan(baseline);
    }

    private static double runRound(Path dir, Shape shape, String tag) throws Exception {
        String topic = broker.createTopic("scale-" + tag, PARTITIONS);
        String group = TestBroker.group("scale-" + tag);
        List<MemberProcess> members = new ArrayList<>();
        try {
            for (int p = 0; p < shape.processes(); p++) {
                members.add(MemberProcess.start(tag + "-member" + p, dir, broker.bootstrapServers(), topic, group,
                        HANDLE_MICROS, shape.managers()));
            }
            int consumers = shape.processes() * shape.managers();
            Eventually.await("every partition assigned to " + consumers + " consumers", Duration.ofSeconds(60),
                    () -> {
                        var assignments = broker.members(group).values();
                        return assignments.size() == consumers
                                && assignments.stream().mapToInt(Set::size).sum() == PARTITIONS
                                && assignments.stream().noneMatch(Set::isEmpty);
                    });
            ProducerPipeline.run(broker.bootstrapServers(), topic, RECORDS, 60);
            Eventually.await("every record handled", Duration.ofSeconds(120), () -> handled(members) >= RECORDS);
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            Set<Integer> values = new HashSet<>();
            for (MemberProcess member : members) {
                for (MemberProcess.Line line : member.lines()) {
                    first = Math.min(first, line.micros());
                    last = Math.max(last, line.micros());
                    values.add(line.value());
                }
            }
            assertThat(values).hasSize(RECORDS);
            for (MemberProcess member : members) {
                assertThat(member.stop()).as(member.name + "\n" + member.logText()).isZero();
            }
            return RECORDS / ((last - first) / 1e6);
        } finally {
            for (MemberProcess member : members) {
                member.close();
            }
        }
    }

    private static long handled(List<MemberProcess> members) throws Exception {
        long total = 0;
        for (MemberProcess member : members) {
            total += member.lineCount();
        }
        return total;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
