package io.pipeline.examples.kafka;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Flow;
import io.pipeline.core.RestartPolicy;
import io.pipeline.examples.stock.Console;
import io.pipeline.examples.stock.Quote;
import io.pipeline.kafka.KafkaSource;
import io.pipeline.sources.output.CsvOutput;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A writer process: a {@link QuoteArchiver} under a {@link Flow}, appending the quotes of the partitions its
 * group gives it to one CSV file. Start several, each with its own file: they share the topic's partitions, and
 * when one stops or dies the others take its partitions over.
 *
 * <p>Lifecycle: RUNNING ({@link #start}) → CLOSED ({@link #close()}): closing waits for the quotes in flight,
 * commits them, leaves the group and closes the file. This class is thread-safe; {@code close()} is idempotent.
 */
public final class QuoteWriter implements AutoCloseable {
    /** Where to read and write. */
    public record Config(String bootstrapServers, String topic, String group, Path out) {}

    private final AsyncDispatcher handler;
    private final CsvOutput<Quote> writer;
    private final Flow flow;
    private final Console console;
    private final Config config;

    private QuoteWriter(Config config, Console console) {
        this.config = config;
        this.console = console;
        this.handler = new AsyncDispatcher();
        this.writer = new CsvOutput<>("quote-writer.csv", handler, config.out(), Quote.CSV_COLUMNS,
                Quote::csvValues);
        KafkaSource.Options options = KafkaSource.Options.defaults()
                .withBootstrapServers(config.bootstrapServers())
                .withGroupId(config.group())
                .withTopics(config.topic());
        this.flow = Flow.builder()
                .handler(handler)
                .errorReporter(console)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)))
                .manager(h -> new QuoteArchiver(h, options, writer, console))
                .build();
    }

    /** Opens the CSV file and joins the group. */
    public static QuoteWriter start(Config config, Console console) {
        QuoteWriter quoteWriter = new QuoteWriter(config, console);
        console.info("quote-writer: reading topic '" + config.topic() + "' on " + config.bootstrapServers()
                + " in group '" + config.group() + "'; writing " + config.out() + ". Ctrl-C stops.");
        quoteWriter.flow.start();
        return quoteWriter;
    }

    /** The flow, for status checks. */
    public Flow flow() {
        return flow;
    }

    /** Stops reading (committing what was written), closes the file, ends every thread. Idempotent. */
    @Override
    public void close() {
        try {
            flow.close();
        } finally {
            try {
                writer.close();
            } finally {
                handler.close();
                console.info("quote-writer: stopped; " + console.quotes() + " quotes written to " + config.out());
            }
        }
    }
}
