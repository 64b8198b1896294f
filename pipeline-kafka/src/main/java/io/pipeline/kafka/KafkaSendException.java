package io.pipeline.kafka;

/**
 * A record a {@link KafkaOutput} could not write: the producer refused it or the broker did not acknowledge it
 * within the delivery timeout. Emitted as the output's {@link io.pipeline.core.Processor#ERROR} event (or failing
 * the future of {@link KafkaOutput#writeAsync}); the message names the topic and the record's key, never its
 * value. Instances are immutable once constructed.
 */
public final class KafkaSendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String key;

    /** Creates the failure for the record keyed {@code key} ({@code null} for none) sent to {@code topic}. */
    public KafkaSendException(String topic, String key, Throwable cause) {
        super("send to topic '" + topic + "' failed for key " + (key == null ? "(none)" : "'" + key + "'") + ": "
                + cause, cause);
        this.topic = topic;
        this.key = key;
    }

    /** The topic written to. */
    public String topic() {
        return topic;
    }

    /** The record's key, or {@code null} when it had none. */
    public String key() {
        return key;
    }
}
