package io.pipeline.examples.kafka;

import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.examples.stock.Console;
import io.pipeline.examples.stock.Quote;
import io.pipeline.kafka.KafkaSource;
import io.pipeline.sources.output.CsvOutput;
import java.util.Objects;

/**
 * A writer's pipeline: a {@link KafkaSource} reading quotes in the writers' consumer group, each quote appended
 * to the CSV file and printed. Writers in one group share the topic's partitions; a quote's offset is committed
 * only once its row is written, so a writer that dies leaves nothing behind that another will not write.
 *
 * <pre>
 * source (topic "quotes", group "quote-writers")  --RECORD-->  writer (the CSV file), console
 * </pre>
 *
 * <p>Poison records (not a quote) and broker trouble are printed; too many broker failures in a row fail the
 * source and the flow restarts this manager. The CSV output outlives restarts; whoever created it closes it after
 * the flow. This class is thread-safe.
 */
public final class QuoteArchiver extends Manager {
    /**
     * Builds and wires the writer's pipeline.
     *
     * @param handler the flow's message handler
     * @param options where to read: servers, group, topic
     * @param writer  the CSV output
     * @param console where quotes and errors are printed
     */
    public QuoteArchiver(MessageHandler handler, KafkaSource.Options options, CsvOutput<Quote> writer,
                         Console console) {
        super("archive", handler);
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(console, "console");
        KafkaSource<Quote> source = new KafkaSource<>(processorName("source"), handler, Quote.class,
                options.withMapper(QuoteJson.mapper()));

        source.on(source.records(), record -> writer.write(record.value()));
        source.on(source.records(), record -> console.quote(record.value()));
        source.on(Processor.ERROR, error -> console.error("kafka", error));
        setSource(source);
    }
}
