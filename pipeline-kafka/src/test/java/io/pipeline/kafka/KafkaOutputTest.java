package io.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.testing.EventRecorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaOutputTest {
    record Trade(String symbol, int sequence) {}

    /** Emits trades on its own thread, as an upstream processor would. */
    static final class Trades extends Processor {
        static final Event<Trade> TRADE = Event.of("trade", Trade.class);

        Trades(MessageHandler handler) {
            super("trades", handler);
        }
    }

    private static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    private static KafkaOutput.Options options() {
        return KafkaOutput.Options.defaults().withBootstrapServers(broker.bootstrapServers());
    }

    @Test
    void close_rightAfterWrites_flushesEveryRecord_keyedAndInOrderPerKey() throws Exception {
        String topic = broker.createTopic("trades", 3);
        int count = 1_000;
        try (AsyncDispatcher dispatcher = new AsyncDispatcher()) {
            Trades trades = new Trades(dispatcher);
            KafkaOutput<Trade> output = new KafkaOutput<>("out", dispatcher, topic, Trade::symbol, options());
            trades.on(Trades.TRADE, output::write);
            EventRecorder<Throwable> errors = EventRecorder.of(output, Processor.ERROR);
            CompletableFuture<Boolean> last = null;
            for (int i = 0; i < count; i++) {
                last = trades.emitAsync(Trades.TRADE, new Trade("S" + (i % 7), i));
            }
            last.get(30, TimeUnit.SECONDS); // every write accepted by the producer

            output.close();

            assertThat(output.sent()).isEqualTo(count);
            assertThat(errors.values()).isEmpty();
        }
        List<ConsumerRecord<byte[], byte[]>> records = broker.read(topic, count);
        Map<String, Integer> partitionOfKey = new HashMap<>();
        Map<String, Integer> lastSequence = new HashMap<>();
        records.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            String json = new String(record.value(), StandardCharsets.UTF_8);
            assertThat(json).startsWith("{\"symbol\":\"" + key + "\"");
            assertThat(partitionOfKey.computeIfAbsent(key, k -> record.partition())).isEqualTo(record.partition());
            int sequence = Integer.parseInt(json.replaceAll(".*\"sequence\":(\\d+).*", "$1"));
            assertThat(sequence).isGreaterThan(lastSequence.getOrDefault(key, -1));
            lastSequence.put(key, sequence);
        }
        assertThat(records).hasSize(count);
    }

    @Test
    void writeAsync_completesOnceAcknowledged() throws Exception {
        String topic = broker.createTopic("acked", 1);
        try (AsyncDispatcher dispatcher = new AsyncDispatcher();
             KafkaOutput<String> output = new KafkaOutput<>("out", dispatcher, topic, v -> null, options())) {
            output.writeAsync("hello").get(30, TimeUnit.SECONDS);
            assertThat(output.sent()).isEqualTo(1);
        }
        assertThat(new String(broker.read(topic, 1).get(0).value(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void write_toTopicThatDoesNotExist_emitsErrorNamingTheKey() throws Exception {
        try (AsyncDispatcher dispatcher = new AsyncDispatcher();
             KafkaOutput<Trade> output = new KafkaOutput<>("out", dispatcher, "no-such-topic", Trade::symbol,
                     options().withConfig(Map.of("max.block.ms", 300, "sasl.jaas.config", "hunter2")))) {
            EventRecorder<Throwable> errors = EventRecorder.of(output, Processor.ERROR);

            output.write(new Trade("ACME", 1));

            Throwable error = errors.await(1, Duration.ofSeconds(30)).get(0);
            assertThat(error).isInstanceOf(KafkaSendException.class)
                    .hasMessageContaining("no-such-topic").hasMessageContaining("'ACME'")
                    .hasMessageNotContaining("hunter2");
            assertThat(((KafkaSendException) error).key()).isEqualTo("ACME");
            assertThat(output.failed()).isEqualTo(1);
            assertThat(output.toString()).doesNotContain("hunter2");

            assertThatThrownBy(() -> output.writeAsync(new Trade("ACME", 2)).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(KafkaSendException.class);
        }
    }

    @Test
    void write_afterClose_throws() throws Exception {
        String topic = broker.createTopic("closed", 1);
        try (AsyncDispatcher dispatcher = new AsyncDispatcher()) {
            KafkaOutput<String> output = new KafkaOutput<>("out", dispatcher, topic, v -> v, options());
            output.close();
            output.close(); // idempotent
            assertThatThrownBy(() -> output.write("x")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void options_contradictingTheDeliveryGuarantees_areRefused() {
        try (AsyncDispatcher dispatcher = new AsyncDispatcher()) {
            assertThatThrownBy(() -> new KafkaOutput<String>("out", dispatcher, "t", v -> v,
                    options().withConfig(Map.of("acks", "1"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'acks' must be all");
            assertThatThrownBy(() -> new KafkaOutput<String>("out", dispatcher, "t", v -> v,
                    options().withConfig(Map.of("enable.idempotence", false))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable.idempotence");
            assertThatThrownBy(() -> new KafkaOutput<String>("out", dispatcher, "t", v -> v,
                    KafkaOutput.Options.defaults()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrap servers");
            assertThatThrownBy(() -> options().withCloseTimeout(Duration.ofSeconds(-1)))
                    .hasMessageContaining("closeTimeout <= 0");
        }
    }
}
