package io.pipeline.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One in-process KRaft broker (combined with its controller) for a test class, with helpers to create topics,
 * produce and read raw records, and read a group's committed offsets. {@link #close()} once, in {@code @AfterAll}.
 */
final class TestBroker implements AutoCloseable {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final KafkaClusterTestKit cluster;
    private final Admin admin;

    private TestBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.admin = cluster.admin();
    }

    static TestBroker start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("group.min.session.timeout.ms", "500")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new TestBroker(cluster);
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    Admin admin() {
        return admin;
    }

    /** A new topic with a name no other test uses. */
    String createTopic(String prefix, int partitions) throws Exception {
        String name = prefix + "-" + NAMES.incrementAndGet();
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        return name;
    }

    /** A new group id no other test uses. */
    static String group(String prefix) {
        return prefix + "-group-" + NAMES.incrementAndGet();
    }

    /** Writes {@code values} with {@code key} to partition {@code partition} of {@code topic}, in order. */
    void produce(String topic, int partition, String key, List<byte[]> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig())) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(topic, partition, key == null ? null
                        : key.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    void produceStrings(String topic, int partition, String key, String... values) throws Exception {
        List<byte[]> bytes = new ArrayList<>();
        for (String value : values) {
            bytes.add(value.getBytes(StandardCharsets.UTF_8));
        }
        produce(topic, partition, key, bytes);
    }

    Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return config;
    }

    /** Reads {@code count} records from the start of {@code topic} (every partition), or fails after 30 s. */
    List<ConsumerRecord<byte[], byte[]>> read(String topic, int count) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        if (records.size() < count) {
            throw new AssertionError("read " + records.size() + " of " + count + " records from " + topic);
        }
        return records;
    }

    /** The offsets {@code group} has committed for {@code topic}'s partitions (absent: none committed). */
    Map<Integer, Long> committed(String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<Integer, Long> result = new HashMap<>();
        offsets.forEach((partition, offset) -> {
            if (offset != null && partition.topic().equals(topic)) {
                result.put(partition.partition(), offset.offset());
            }
        });
        return result;
    }

    /** The members of {@code group} and their assigned partitions, per member id; empty before the group exists. */
    Map<String, Set<TopicPartition>> members(String group) throws Exception {
        Map<String, Set<TopicPartition>> members = new HashMap<>();
        try {
            admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).members()
                    .forEach(member -> members.put(member.consumerId(), member.assignment().topicPartitions()));
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw e;
            }
        }
        return members;
    }

    @Override
    public void close() throws Exception {
        try {
            admin.close(Duration.ofSeconds(5));
        } finally {
            cluster.close();
        }
    }
}
