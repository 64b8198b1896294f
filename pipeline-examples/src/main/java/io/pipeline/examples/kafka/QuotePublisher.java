package io.pipeline.examples.kafka;

import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.examples.stock.Console;
import io.pipeline.examples.stock.HandleRawData;
import io.pipeline.examples.stock.Quote;
import io.pipeline.examples.stock.YahooRestSource;
import io.pipeline.kafka.KafkaOutput;
import io.pipeline.sources.RestSource;
import java.util.Locale;
import java.util.Objects;

/**
 * The poller's pipeline of one symbol: the stock ticker's {@link YahooRestSource} → {@link HandleRawData}, whose
 * quotes a {@link KafkaOutput} writes to the topic keyed by symbol (so one symbol's quotes stay in order on one
 * partition), and the console.
 *
 * <pre>
 * source  --DATA-->  processor  --PRICE-->  output (topic "quotes", key = symbol), console
 * </pre>
 *
 * <p>The output is shared by every symbol's manager and outlives restarts; whoever created it closes it after the
 * flow, which flushes every quote accepted. This class is thread-safe.
 */
public final class QuotePublisher extends Manager {
    /**
     * Builds and wires the pipeline of {@code symbol}.
     *
     * @param handler the flow's message handler
     * @param symbol  the ticker symbol
     * @param baseUrl the quote server
     * @param options polling options
     * @param output  the Kafka output every symbol shares
     * @param console where quotes and errors are printed
     */
    public QuotePublisher(MessageHandler handler, String symbol, String baseUrl, RestSource.Options options,
                          KafkaOutput<Quote> output, Console console) {
        super("publish-" + symbol.toLowerCase(Locale.ROOT).replace('.', '_'), handler);
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(console, "console");
        YahooRestSource source = new YahooRestSource(processorName("source"), handler, baseUrl, symbol, options);
        HandleRawData processor = new HandleRawData(processorName("processor"), handler, symbol);

        source.on(RestSource.DATA, processor::handle);
        processor.on(HandleRawData.PRICE, output::write);
        processor.on(HandleRawData.PRICE, console::quote);
        source.on(Processor.ERROR, error -> console.error(symbol, error));
        processor.on(Processor.ERROR, error -> console.error(symbol, error));
        setSource(source);
    }
}
