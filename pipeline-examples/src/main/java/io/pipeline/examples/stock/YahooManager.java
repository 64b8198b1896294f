package io.pipeline.examples.stock;

import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.output.CsvOutput;
import java.util.Locale;
import java.util.Objects;

/**
 * Wires the pipeline of one symbol (aiopype's {@code YahooManager}): {@link YahooRestSource} →
 * {@link HandleRawData} → {@link CsvOutput}, and the console.
 *
 * <pre>
 * source  --DATA-->  processor  --PRICE-->  writer (the CSV file), console
 *    \--ERROR--> console       \--ERROR--> console
 * </pre>
 *
 * <p>The writer is shared by the managers of every symbol and outlives restarts, so it is not closed with this
 * manager; whoever created it closes it after the flow. Listening to both {@code ERROR} events keeps a bad
 * response from failing the manager: the source's own failures count towards its exception threshold, after
 * which the flow restarts this manager.
 *
 * <p>This class is thread-safe.
 */
public final class YahooManager extends Manager {
    private final String symbol;

    /**
     * Builds and wires the pipeline of {@code symbol}.
     *
     * @param handler  the flow's message handler
     * @param symbol   the ticker symbol, as the quote service spells it
     * @param baseUrl  the quote server, e.g. {@link YahooRestSource#LIVE_BASE_URL}
     * @param options  polling options: interval, exception threshold, client
     * @param writer   the CSV output all symbols share
     * @param console  where quotes and errors are printed
     */
    public YahooManager(MessageHandler handler, String symbol, String baseUrl, RestSource.Options options,
                        CsvOutput<Quote> writer, Console console) {
        super(managerName(symbol), handler);
        this.symbol = symbol;
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(console, "console");
        HandleRawData processor = new HandleRawData(processorName("processor"), handler, symbol);
        YahooRestSource source = new YahooRestSource(processorName("source"), handler, baseUrl, symbol, options);

        source.on(RestSource.DATA, processor::handle);
        processor.on(HandleRawData.PRICE, writer::write);
        processor.on(HandleRawData.PRICE, console::quote);
        source.on(Processor.ERROR, error -> console.error(symbol, error));
        processor.on(Processor.ERROR, error -> console.error(symbol, error));
        setSource(source);
    }

    /**
     * The manager name for {@code symbol}: {@code yahoo-} and the symbol in lower case, dots replaced (a dot
     * separates a manager's name from its processors' local names).
     */
    static String managerName(String symbol) {
        return "yahoo-" + symbol.toLowerCase(Locale.ROOT).replace('.', '_');
    }

    /** The symbol this manager follows. */
    public String symbol() {
        return symbol;
    }
}
