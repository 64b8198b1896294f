package io.pipeline.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A processor that writes its input to a Kafka topic: register {@link #write} (or {@link #writeAsync}) as a
 * listener. The record's key comes from a key extractor — records of one key go to one partition, so their order
 * holds for the consumers downstream —, its value is the input as JSON (Jackson), a {@code String} as UTF-8 or a
 * {@code byte[]} as it is.
 *
 * <pre>{@code
 * var quotes = closeOnStop(new KafkaOutput<Quote>(processorName("quotes"), handler, "quotes", Quote::symbol,
 *         KafkaOutput.Options.defaults().withBootstrapServers("localhost:9092")));
 * processor.on(HandleRawData.PRICE, quotes::write);
 * }</pre>
 *
 * <h2>Delivery</h2>
 * The producer is idempotent with {@code acks=all} (a config that says otherwise is refused): a record retried
 * after a lost acknowledgement is not written twice, and records of one key stay in order. {@link #write} hands the
 * record to the producer and returns; when the broker does not acknowledge it (after the producer's retries, within
 * {@code delivery.timeout.ms}, default 2 minutes) the failure is emitted as this output's {@link #ERROR}, a
 * {@link KafkaSendException} naming the topic and the key — uncaught, it fails the manager. {@link #writeAsync}
 * returns a future completed by the acknowledgement instead, for pipelines that must not go on (or commit a
 * {@link KafkaSource} offset) before the record is safe.
 *
 * <p>{@code write} blocks while the producer has no metadata for the topic or its buffer is full, for at most
 * {@code max.block.ms} (set to 10 s unless the config says otherwise).
 *
 * <h2>Close</h2>
 * {@link #close()} stops accepting records and flushes: it waits up to {@link Options#closeTimeout()} (default
 * 30 s) for every record accepted to be acknowledged; records still unacknowledged then are failed (their
 * {@code ERROR}s emitted) and the producer is closed. Nothing accepted is lost silently on a graceful shutdown.
 *
 * <p>This class is thread-safe ({@code KafkaProducer} is). Acknowledgements and their {@code ERROR}s arrive on the
 * producer's I/O thread, {@code kafka-producer-network-thread | <client.id>}.
 *
 * @param <T> the input type
 */
public final class KafkaOutput<T> extends Processor implements AutoCloseable {
    private final String topic;
    private final Function<? super T, String> keyExtractor;
    private final Options options;
    private final Codec<Object> codec;
    private final Producer<byte[], byte[]> producer;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean closed;

    /**
     * Creates an output named {@code name} writing to {@code topic}.
     *
     * @param keyExtractor the record's key for an input; may return {@code null} for no key (the producer then
     *                     spreads such records over partitions)
     * @throws IllegalArgumentException if no bootstrap servers are given, or the config contradicts the delivery
     *     guarantees ({@code acks}, {@code enable.idempotence}, serializers)
     */
    public KafkaOutput(String name, MessageHandler handler, String topic, Function<? super T, String> keyExtractor,
                       Options options) {
        this(name, handler, topic, keyExtractor, options, KafkaProducer::new);
    }

    KafkaOutput(String name, MessageHandler handler, String topic, Function<? super T, String> keyExtractor,
                Options options, Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
        super(name, handler);
        Objects.requireNonNull(topic, "topic");
        if (topic.isBlank()) {
            throw new IllegalArgumentException("topic is blank");
        }
        this.topic = topic;
        this.keyExtractor = Objects.requireNonNull(keyExtractor, "keyExtractor");
        this.options = Objects.requireNonNull(options, "options");
        this.codec = new Codec<>(Object.class, options.mapper);
        this.producer = producers.apply(producerConfig(name, options));
    }

    /** The topic written to. */
    public String topic() {
        return topic;
    }

    /**
     * Sends {@code value}; a failure is emitted as this output's {@link #ERROR} with the record's key. For use as a
     * {@link io.pipeline.core.Listener}.
     *
     * @throws IllegalStateException if this output is closed
     */
    public void write(T value) {
        send(value).exceptionally(failure -> {
            report(failure);
            return null;
        });
    }

    /**
     * Sends {@code value} and returns a future completed when the broker acknowledged it, or failed with a
     * {@link KafkaSendException} (nothing is emitted as {@code ERROR} then: an async listener's failure goes to the
     * emitting processor's {@code ERROR}). For use as an {@link io.pipeline.core.AsyncListener}.
     *
     * @throws IllegalStateException if this output is closed
     */
    public CompletableFuture<Void> writeAsync(T value) {
        return send(value);
    }

    /** Records acknowledged so far. */
    public long sent() {
        return sent.get();
    }

    /** Records that failed so far. */
    public long failed() {
        return failed.get();
    }

    private CompletableFuture<Void> send(T value) {
        Objects.requireNonNull(value, "value");
        if (closed) {
            throw new IllegalStateException("kafka output '" + name() + "' is closed");
        }
        String key = keyExtractor.apply(value);
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            byte[] bytes = codec.encode(value);
            byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(topic, keyBytes, bytes), (metadata, failure) -> {
                if (failure == null) {
                    sent.incrementAndGet();
                    acked.complete(null);
                } else {
                    failed.incrementAndGet();
                    acked.completeExceptionally(new KafkaSendException(topic, key, failure));
                }
            });
        } catch (Exception e) { // serialisation, metadata wait timed out, buffer exhausted, producer closed
            failed.incrementAndGet();
            acked.completeExceptionally(new KafkaSendException(topic, key, e));
        }
        return acked;
    }

    private void report(Throwable failure) {
        try {
            emit(ERROR, failure);
        } catch (IllegalStateException handlerClosed) {
            // nobody can hear it any more; counted in failed()
        }
    }

    /**
     * Stops accepting records, waits up to {@link Options#closeTimeout()} for every accepted record to be
     * acknowledged, and closes the producer. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        producer.close(options.closeTimeout);
    }

    @Override
    public String toString() {
        return "KafkaOutput[" + name() + ", topic=" + topic + ", " + options + "]";
    }

    static Map<String, Object> producerConfig(String name, Options options) {
        Map<String, Object> config = new HashMap<>(options.config);
        if (options.bootstrapServers != null) {
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers);
        }
        if (!config.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("kafka output '" + name + "': no bootstrap servers "
                    + "(Options.withBootstrapServers or config 'bootstrap.servers')");
        }
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, name);
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        Configs.force(config, ProducerConfig.ACKS_CONFIG, "all", "every in-sync replica must have the record");
        Configs.force(config, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                "retries must not write a record twice or reorder a key's records");
        Configs.force(config, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                "the output encodes keys itself");
        Configs.force(config, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                "the output encodes values itself");
        return config;
    }

    /**
     * The settings of a {@link KafkaOutput}: {@link #defaults()}, then {@code with…}, each returning a new value.
     * Anything else goes to the {@code KafkaProducer} through {@link #withConfig(Map)}; unless it says otherwise,
     * {@code client.id} is the output's name, {@code max.block.ms} 10 s and {@code linger.ms} 5. {@code acks=all},
     * {@code enable.idempotence=true} and byte-array serializers are always set. {@link #toString()} shows config
     * keys, never their values. Instances are immutable and safe for concurrent use.
     */
    public static final class Options {
        private final String bootstrapServers;
        private final Map<String, Object> config;
        private final ObjectMapper mapper;
        private final Duration closeTimeout;

        private Options(String bootstrapServers, Map<String, Object> config, ObjectMapper mapper,
                        Duration closeTimeout) {
            this.bootstrapServers = bootstrapServers;
            this.config = config;
            this.mapper = mapper;
            this.closeTimeout = closeTimeout;
        }

        /** No servers yet, no extra config, a Jackson mapper that knows {@code java.time}, a 30 s close timeout. */
        public static Options defaults() {
            return new Options(null, Map.of(), KafkaSource.Options.defaultMapper(), Duration.ofSeconds(30));
        }

        /** {@code host:port[,host:port…]} of the brokers to bootstrap from. */
        public Options withBootstrapServers(String bootstrapServers) {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            if (bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers is blank");
            }
            return new Options(bootstrapServers, config, mapper, closeTimeout);
        }

        /** Further {@code KafkaProducer} settings. */
        public Options withConfig(Map<String, ?> config) {
            return new Options(bootstrapServers, Configs.copy(config), mapper, closeTimeout);
        }

        /** The Jackson mapper values are written with. */
        public Options withMapper(ObjectMapper mapper) {
            return new Options(bootstrapServers, config, Objects.requireNonNull(mapper, "mapper"), closeTimeout);
        }

        /** How long {@link KafkaOutput#close()} waits for accepted records to be acknowledged (at most 365 days). */
        public Options withCloseTimeout(Duration closeTimeout) {
            return new Options(bootstrapServers, config, mapper, Configs.positive(closeTimeout, "closeTimeout"));
        }

        /** How long {@code close()} waits for acknowledgements. */
        public Duration closeTimeout() {
            return closeTimeout;
        }

        @Override
        public String toString() {
            return "Options[servers=" + bootstrapServers + ", closeTimeout=" + closeTimeout + ", config="
                    + Configs.describe(config) + "]";
        }
    }
}
