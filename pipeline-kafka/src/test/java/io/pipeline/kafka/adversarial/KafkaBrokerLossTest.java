package io.pipeline.kafka.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Processor;
import io.pipeline.kafka.KafkaOutput;
import io.pipeline.kafka.KafkaSource;
import io.pipeline.testing.ThreadLeaks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Kafka connectors whose broker goes away under them, and a source stopped from its own listener. */
class KafkaBrokerLossTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private KafkaClusterTestKit cluster;
    private boolean clusterClosed;
    private final AsyncDispatcher handler = AsyncDispatcher.builder().capacity(64).build();

    @BeforeEach
    void startBroker() throws Exception {
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("group.min.session.timeout.ms", "500")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    @AfterEach
    void stopBroker() throws Exception {
        handler.close();
        stopCluster();
    }

    private void stopCluster() throws Exception {
        if (!clusterClosed) {
            clusterClosed = true;
            cluster.close();
        }
    }

    private String topicWith(String name, String... values) throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(name, 0, null, value.getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        return name;
    }

    @Test
    void brokerStoppedMidPoll_failsTheSourceAtTheThreshold_andNoThreadOutlivesStop() throws Exception {
        String topic = topicWith("loss", "a", "b", "c");
        KafkaSource<String> source = new KafkaSource<>("lost", handler, String.class, KafkaSource.Options.defaults()
                .withBootstrapServers(cluster.bootstrapServers()).withGroupId("loss-group").withTopics(topic)
                .withCommitInterval(Duration.ofMillis(20)).withRequestTimeout(Duration.ofMillis(500))
                .withBrokerCheckInterval(Duration.ofMillis(200)).withExceptionThreshold(3));
        BlockingQueue<String> values = new LinkedBlockingQueue<>();
        BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        source.on(source.records(), record -> values.add(record.value()));
        source.on(Processor.ERROR, errors::add);
        CompletableFuture<Void> done = source.start();
        try {
            for (String expected : List.of("a", "b", "c")) {
                assertThat(values.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(expected);
            }
            stopCluster(); // while the source is in its poll loop

            try {
                done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                throw new AssertionError("the source finished normally without its broker");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).hasMessageContaining("failures in a row");
            }
            assertThat(errors).isNotEmpty();
        } finally {
            source.stop();
        }
        ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-kafka-lost"), Duration.ofSeconds(30));
    }

    @Test
    void output_brokerStopped_writesBecomeErrors_andCloseReturnsWithinItsTimeout() throws Exception {
        String topic = topicWith("out");
        KafkaOutput<String> output = new KafkaOutput<>("out", handler, topic, value -> value,
                KafkaOutput.Options.defaults().withBootstrapServers(cluster.bootstrapServers())
                        .withCloseTimeout(Duration.ofSeconds(2))
                        .withConfig(Map.of("max.block.ms", 1000, "delivery.timeout.ms", 3000,
                                "request.timeout.ms", 1000)));
        BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        output.on(Processor.ERROR, errors::add);
        try {
            output.writeAsync("before").get(WAIT.toSeconds(), TimeUnit.SECONDS);
            stopCluster();
            CompletableFuture<Void> lost = output.writeAsync("after");
            assertThat(lost).failsWithin(WAIT);
        } finally {
            CompletableFuture<Void> closed = CompletableFuture.runAsync(output::close);
            assertThat(closed).succeedsWithin(Duration.ofSeconds(30));
        }
        ThreadLeaks.assertNoneAlive(name -> name.contains("kafka-producer-network-thread | out"),
                Duration.ofSeconds(10));
    }

    @Test
    void stop_calledFromItsOwnListener_returnsWithoutWaitingOutTheStopTimeout() throws Exception {
        String topic = topicWith("self", "a", "b", "c");
        KafkaSource<String> source = new KafkaSource<>("self", handler, String.class, KafkaSource.Options.defaults()
                .withBootstrapServers(cluster.bootstrapServers()).withGroupId("self-group").withTopics(topic)
                .withStopTimeout(Duration.ofSeconds(120)));
        CountDownLatch stopped = new CountDownLatch(1);
        source.on(source.records(), record -> {
            if (record.value().equals("a")) {
                source.stop();
                stopped.countDown();
            }
        });
        CompletableFuture<Void> done = source.start();
        try {
            assertThat(stopped.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("stop() from a listener returned within %s (stop timeout 120 s)", WAIT).isTrue();
            assertThat(done).succeedsWithin(WAIT);
        } finally {
            source.stop();
        }
        ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-kafka-self"), Duration.ofSeconds(30));
    }
}
