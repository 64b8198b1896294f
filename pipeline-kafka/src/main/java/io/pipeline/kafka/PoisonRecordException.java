package io.pipeline.kafka;

import io.pipeline.core.RecoveredFailure;

/**
 * A record whose key or value could not be decoded — a <em>poison</em> record. A {@link KafkaSource} emits it as
 * its {@link io.pipeline.core.Processor#ERROR} event, skips the record (or sends it to the dead-letter topic, if
 * one is configured) and commits past it: the source keeps going. Being a {@link RecoveredFailure}, it does not
 * fail the manager when nobody listens to {@code ERROR}.
 *
 * <p>The message names the record's position ({@code topic-partition@offset}) and the decoding failure, never the
 * record's bytes. Instances are immutable once constructed.
 */
public final class PoisonRecordException extends RecoveredFailure {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final int partition;
    private final long offset;

    /** Creates the failure for the record at {@code topic-partition@offset}. */
    public PoisonRecordException(String topic, int partition, long offset, String what, Throwable cause) {
        super("poison record " + topic + "-" + partition + "@" + offset + ": " + what, cause);
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }

    /** The record's topic. */
    public String topic() {
        return topic;
    }

    /** The record's partition. */
    public int partition() {
        return partition;
    }

    /** The record's offset. */
    public long offset() {
        return offset;
    }
}
