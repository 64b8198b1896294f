package io.pipeline.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One record consumed by a {@link KafkaSource}: where it came from (topic, partition, offset), its timestamp,
 * key, headers, and its value decoded into the source's payload type.
 *
 * <p>Instances are immutable and safe for concurrent use (header values are copied in and out).
 *
 * @param topic     the topic it was read from
 * @param partition the partition within the topic
 * @param offset    its offset within the partition
 * @param timestamp the record's timestamp (create or log-append time, as the topic is configured)
 * @param key       the key decoded as UTF-8, or empty when the record has none
 * @param value     the value, decoded into the source's value type; {@code null} only for a tombstone (a record
 *                  sent without a value)
 * @param headers   the headers, in record order (a key may repeat)
 * @param <V>       the value type
 */
public record KafkaRecord<V>(String topic, int partition, long offset, Instant timestamp, Optional<String> key,
                             V value, List<Header> headers) {

    /** Validates and copies. */
    public KafkaRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(key, "key");
        headers = List.copyOf(headers);
        if (partition < 0) {
            throw new IllegalArgumentException("partition < 0: " + partition);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset < 0: " + offset);
        }
    }

    /** {@code topic-partition@offset}, the usual way Kafka tools name a record. */
    public String position() {
        return topic + "-" + partition + "@" + offset;
    }

    /** The value of the last header named {@code name}, as UTF-8, if there is one with a value. */
    public Optional<String> header(String name) {
        Objects.requireNonNull(name, "name");
        for (int i = headers.size() - 1; i >= 0; i--) {
            Header header = headers.get(i);
            if (header.key().equals(name)) {
                return header.valueAsString();
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "KafkaRecord[" + position() + ", key=" + key.orElse("(none)") + ", value=" + value + "]";
    }

    /**
     * One record header. Instances are immutable: the value is copied in and out.
     *
     * @param key   the header's name
     * @param value its raw value, or {@code null} when the header has none (Kafka allows that)
     */
    public record Header(String key, byte[] value) {
        /** Validates and copies. */
        public Header {
            Objects.requireNonNull(key, "key");
            value = value == null ? null : value.clone();
        }

        /** A copy of the raw value, or {@code null} when the header has none. */
        @Override
        public byte[] value() {
            return value == null ? null : value.clone();
        }

        /** The value decoded as UTF-8, or empty when the header has none. */
        public Optional<String> valueAsString() {
            return value == null ? Optional.empty() : Optional.of(new String(value, StandardCharsets.UTF_8));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Header h && key.equals(h.key) && java.util.Arrays.equals(value, h.value);
        }

        @Override
        public int hashCode() {
            return 31 * key.hashCode() + java.util.Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return key + "=" + valueAsString().orElse("(null)");
        }
    }
}
