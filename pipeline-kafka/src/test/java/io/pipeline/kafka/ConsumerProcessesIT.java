package io.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out on a real broker: one producer pipeline and three consumer pipelines in separate JVMs, one of which
 * is killed ({@code kill -9}) while they work. The producer writes half the records before the kill and half
 * after, so that the dead member's partitions have records only a survivor can handle.
 */
class ConsumerProcessesIT {
    private static final int RECORDS = 3_000;
    private static final int KEYS = 30;
    private static final int PARTITIONS = 6;

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
    void oneOfThreeConsumersKilled_survivorsTakeOver_noRecordLost_perKeyOrderKept(@TempDir Path dir)
            throws Exception {
        String topic = broker.createTopic("quotes", PARTITIONS);
        String group = TestBroker.group("writers");
        List<MemberProcess> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(MemberProcess.start("member" + i, dir, broker.bootstrapServers(), topic, group, 1_000, 1));
            }
            Eventually.await("three members with two partitions each", Duration.ofSeconds(60),
                    () -> broker.members(group).values().stream().filter(a -> a.size() == 2).count() == 3);

            // First half; the kill comes while the members work on it; the second half is written after the kill,
            // so that every partition has records the dead member can no longer handle.
            ProducerPipeline.run(broker.bootstrapServers(), topic, 0, RECORDS / 2, KEYS);
            MemberProcess dead = members.get(0);
            Eventually.await("the members under way", Duration.ofSeconds(60),
                    () -> dead.lineCount() >= 100 && total(members) >= 600);
            dead.kill();
            List<MemberProcess.Line> deadLines = dead.lines();
            List<MemberProcess> survivors = members.subList(1, 3);
            ProducerPipeline.run(broker.bootstrapServers(), topic, RECORDS / 2, RECORDS - RECORDS / 2, KEYS);

            Eventually.await("every record handled", Duration.ofSeconds(90),
                    () -> distinctValues(members) == RECORDS);
            for (MemberProcess survivor : survivors) {
                assertThat(survivor.stop()).as(survivor.name + " exit code\n" + survivor.logText()).isZero();
            }

            Map<String, List<MemberProcess.Line>> outputs = new HashMap<>();
            for (MemberProcess member : members) {
                outputs.put(member.name, member.lines());
            }
            assertNoneLost(outputs);
            int duplicates = assertDuplicatesOnlyInFlightAtTheKill(outputs, dead.name);
            assertPerKeyOrder(outputs);
            assertSurvivorsTookOver(outputs, dead.name, topic);
            System.out.printf("kill test: %d records, %d handled by the killed member before the kill, "
                    + "%d duplicates (records in flight at the kill, handled again by a survivor)%n",
                    RECORDS, deadLines.size(), duplicates);
        } finally {
            for (MemberProcess member : members) {
                member.close();
            }
        }
    }

    private static long total(List<MemberProcess> members) throws Exception {
        long total = 0;
        for (MemberProcess member : members) {
            total += member.lineCount();
        }
        return total;
    }

    private static int distinctValues(List<MemberProcess> members) throws Exception {
        Set<Integer> values = new HashSet<>();
        for (MemberProcess member : members) {
            member.lines().forEach(line -> values.add(line.value()));
        }
        return values.size();
    }

    private static void assertNoneLost(Map<String, List<MemberProcess.Line>> outputs) {
        Set<Integer> values = new TreeSet<>();
        outputs.values().forEach(lines -> lines.forEach(line -> values.add(line.value())));
        assertThat(values).hasSize(RECORDS);
        assertThat(values).first().isEqualTo(0);
        assertThat(values).last().isEqualTo(RECORDS - 1);
    }

    /** Every record handled twice was handled by the dead member and then once by one survivor; returns how many. */
    private static int assertDuplicatesOnlyInFlightAtTheKill(Map<String, List<MemberProcess.Line>> outputs,
                                                             String dead) {
        Map<String, List<String>> handlers = new HashMap<>();
        outputs.forEach((member, lines) -> lines.forEach(line ->
                handlers.computeIfAbsent(line.partition() + "@" + line.offset(), k -> new ArrayList<>()).add(member)));
        int duplicates = 0;
        for (var entry : handlers.entrySet()) {
            List<String> by = entry.getValue();
            if (by.size() > 1) {
                duplicates++;
                assertThat(by).as("handlers of %s", entry.getKey()).hasSize(2).contains(dead)
                        .doesNotHaveDuplicates();
            }
        }
        // The dead member's duplicates are its last records per partition: after its last commit.
        Map<Integer, Long> firstDuplicate = new HashMap<>();
        for (var entry : handlers.entrySet()) {
            if (entry.getValue().size() > 1) {
                String[] position = entry.getKey().split("@");
                firstDuplicate.merge(Integer.parseInt(position[0]), Long.parseLong(position[1]), Math::min);
            }
        }
        for (MemberProcess.Line line : outputs.get(dead)) {
            Long first = firstDuplicate.get(line.partition());
            if (first != null && line.offset() > first) {
                assertThat(handlers.get(line.partition() + "@" + line.offset()))
                        .as("records after the first duplicate of partition %d", line.partition()).hasSize(2);
            }
        }
        return duplicates;
    }

    private static void assertPerKeyOrder(Map<String, List<MemberProcess.Line>> outputs) {
        outputs.forEach((member, lines) -> {
            Map<String, Integer> last = new HashMap<>();
            for (MemberProcess.Line line : lines) {
                Integer previous = last.put(line.key(), line.value());
                assertThat(previous == null || previous < line.value())
                        .as("%s handled %s of key %s after %s", member, line.value(), line.key(), previous).isTrue();
            }
        });
    }

    private static void assertSurvivorsTookOver(Map<String, List<MemberProcess.Line>> outputs, String dead,
                                                String topic) throws Exception {
        Set<Integer> deadPartitions = outputs.get(dead).stream().map(MemberProcess.Line::partition)
                .collect(Collectors.toSet());
        assertThat(deadPartitions).isNotEmpty();
        List<TopicPartition> partitions = deadPartitions.stream().map(p -> new TopicPartition(topic, p)).toList();
        Map<TopicPartition, Long> ends = new HashMap<>();
        broker.admin().listOffsets(partitions.stream().collect(Collectors.toMap(p -> p,
                        p -> org.apache.kafka.clients.admin.OffsetSpec.latest())))
                .all().get().forEach((partition, info) -> ends.put(partition, info.offset()));
        for (TopicPartition partition : partitions) {
            long lastOffset = ends.get(partition) - 1;
            boolean survivorHasIt = outputs.entrySet().stream().filter(e -> !e.getKey().equals(dead))
                    .anyMatch(e -> e.getValue().stream().anyMatch(line -> line.partition() == partition.partition()
                            && line.offset() == lastOffset));
            assertThat(survivorHasIt).as("a survivor handled the last record of dead member's %s", partition)
                    .isTrue();
        }
    }
}
