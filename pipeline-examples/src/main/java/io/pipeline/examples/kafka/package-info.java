/**
 * The stock ticker split over processes with Kafka: a {@link io.pipeline.examples.kafka.QuotePoller} process
 * polls quotes and writes them to the topic {@code quotes}, keyed by symbol; any number of
 * {@link io.pipeline.examples.kafka.QuoteWriter} processes read the topic in one consumer group and append the
 * quotes of their partitions to CSV files. {@link io.pipeline.examples.kafka.KafkaQuotes} is the command line.
 */
package io.pipeline.examples.kafka;
