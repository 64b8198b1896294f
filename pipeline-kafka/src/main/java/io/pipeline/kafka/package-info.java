/**
 * Kafka connectors: {@link io.pipeline.kafka.KafkaSource}, an at-least-once source consuming topics in a
 * consumer group (commits follow what the pipeline handled, per partition, in order; pauses partitions under
 * backpressure; reports and skips poison records), and {@link io.pipeline.kafka.KafkaOutput}, an idempotent
 * producer writing a processor's input to a topic, keyed so that per-key order holds downstream.
 *
 * <p>Several processes running the same pipeline with a {@code KafkaSource} in one group share the topic's
 * partitions; when one dies, the others take its partitions over from the last committed offsets.
 */
package io.pipeline.kafka;
