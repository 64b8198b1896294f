package io.pipeline.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.output.CsvOutput;
import io.pipeline.sources.output.Durability;
import io.pipeline.sources.output.JsonLinesOutput;
import io.pipeline.sources.output.OutputOptions;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Rows per second of {@link CsvOutput} and {@link JsonLinesOutput} in each {@link Durability}, against the limit:
 * Jackson writing the same rows to a {@link BufferedWriter} flushed once, at the end.
 *
 * <p>One run opens a new file in a temporary directory, writes {@code --rows} rows of {@link Quote} from the
 * calling thread (as a dispatcher's loop thread would: no dispatcher here, the outputs alone), and closes it;
 * it is timed from opening to the return of {@code close()}, which hands every row to the operating system in
 * every contender. Allocation is that of the writing thread. Runs are interleaved ({@link Rounds}).
 *
 * <pre>
 * java -cp benchmarks.jar io.pipeline.bench.OutputHarness [--rows 200000] [--rounds 5] [--warmups 2]
 *     [--out FILE.json] [--dir DIRECTORY]
 * </pre>
 */
public final class OutputHarness {
    /** The row: a small quote. */
    public record Quote(long time, String symbol, double price, long volume) {}

    private OutputHarness() {}

    public static void main(String[] args) throws Exception {
        int rows = 200_000;
        int rounds = 5;
        int warmups = 2;
        Path out = null;
        Path dir = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--warmups" -> warmups = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                case "--dir" -> dir = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path files = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("output-harness");
        List<Quote> data = quotes(rows);
        List<Rounds.Contender> contenders = contenders(files, data);
        List<Rounds.Result> results = Rounds.run(contenders, warmups, rounds, System.out);
        Rounds.print(results, "row", System.out);
        if (out != null) {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("rows", rows);
            settings.put("rounds", rounds);
            settings.put("warmups", warmups);
            settings.put("dir", files);
            Rounds.writeJson(results, "OutputHarness", settings, out);
        }
    }

    static List<Quote> quotes(int n) {
        String[] symbols = {"AAPL", "MSFT", "GOOG", "AMZN", "BRK.B"};
        List<Quote> quotes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            quotes.add(new Quote(1_796_000_000_000L + i, symbols[i % symbols.length], 100 + (i % 1000) / 8.0,
                    1000 + i));
        }
        return quotes;
    }

    private static List<Rounds.Contender> contenders(Path dir, List<Quote> data) {
        OutputOptions group = OutputOptions.defaults();
        OutputOptions every = OutputOptions.defaults().withDurability(Durability.everyRow());
        OutputOptions batched = OutputOptions.defaults().withDurability(Durability.batched(1000,
                Duration.ofMillis(100)));
        List<Rounds.Contender> list = new ArrayList<>();
        list.add(new Rounds.Contender("jsonJacksonBuffered", "jsonJacksonBuffered", () -> jacksonJson(dir, data)));
        list.add(new Rounds.Contender("jsonGroupCommit", "jsonJacksonBuffered", () -> jsonLines(dir, data, group)));
        list.add(new Rounds.Contender("jsonBatched", "jsonJacksonBuffered", () -> jsonLines(dir, data, batched)));
        list.add(new Rounds.Contender("jsonEveryRow", "jsonJacksonBuffered", () -> jsonLines(dir, data, every)));
        list.add(new Rounds.Contender("csvJacksonBuffered", "csvJacksonBuffered", () -> jacksonCsv(dir, data)));
        list.add(new Rounds.Contender("csvGroupCommit", "csvJacksonBuffered", () -> csv(dir, data, group)));
        list.add(new Rounds.Contender("csvBatched", "csvJacksonBuffered", () -> csv(dir, data, batched)));
        list.add(new Rounds.Contender("csvEveryRow", "csvJacksonBuffered", () -> csv(dir, data, every)));
        return list;
    }

    private static Path fresh(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        Files.deleteIfExists(file);
        return file;
    }

    private static Rounds.Measurement timed(List<Quote> data, Path file, Opened opened) throws Exception {
        long allocatedBefore = Allocations.currentThread();
        long start = System.nanoTime();
        try (Sink sink = opened.open()) {
            for (Quote quote : data) {
                sink.accept(quote);
            }
        }
        long nanos = System.nanoTime() - start;
        long allocated = Allocations.currentThread() - allocatedBefore;
        Files.delete(file);
        return new Rounds.Measurement(data.size(), nanos, allocated);
    }

    interface Sink extends Consumer<Quote>, Closeable {
        @Override
        void close() throws IOException;
    }

    interface Closer {
        void close() throws IOException;
    }

    interface Opened {
        Sink open() throws Exception;
    }

    private static Rounds.Measurement jsonLines(Path dir, List<Quote> data, OutputOptions options) throws Exception {
        Path file = fresh(dir, "out.jsonl");
        SyncDispatcher handler = new SyncDispatcher();
        try {
            return timed(data, file, () -> {
                JsonLinesOutput<Quote> output = new JsonLinesOutput<>("bench", handler, file, options);
                return sink(output::write, output::close);
            });
        } finally {
            handler.close();
        }
    }

    private static Rounds.Measurement csv(Path dir, List<Quote> data, OutputOptions options) throws Exception {
        Path file = fresh(dir, "out.csv");
        SyncDispatcher handler = new SyncDispatcher();
        try {
            return timed(data, file, () -> {
                CsvOutput<Quote> output = new CsvOutput<>("bench", handler, file, Quote.class, options);
                return sink(output::write, output::close);
            });
        } finally {
            handler.close();
        }
    }

    /** The limit for JSON Lines: one Jackson sequence writer over a buffered writer, flushed by close(). */
    private static Rounds.Measurement jacksonJson(Path dir, List<Quote> data) throws Exception {
        Path file = fresh(dir, "limit.jsonl");
        ObjectMapper mapper = new ObjectMapper();
        return timed(data, file, () -> {
            Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            // without FLUSH_AFTER_WRITE_VALUE (on by default), which would flush the writer, one write(2) per row
            SequenceWriter sequence = mapper.writerFor(Quote.class).withRootValueSeparator("\n")
                    .without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE).writeValues(writer);
            return sink(quote -> {
                try {
                    sequence.write(quote);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, () -> {
                sequence.close(); // the separator goes between values: end the last line too
                try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.APPEND)) {
                    w.write('\n');
                }
            });
        });
    }

    /** The limit for CSV: one Jackson CSV sequence writer with a header over a buffered writer. */
    private static Rounds.Measurement jacksonCsv(Path dir, List<Quote> data) throws Exception {
        Path file = fresh(dir, "limit.csv");
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = mapper.schemaFor(Quote.class).withHeader();
        return timed(data, file, () -> {
            Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            SequenceWriter sequence = mapper.writer(schema).without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE)
                    .writeValues(writer);
            return sink(quote -> {
                try {
                    sequence.write(quote);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, sequence::close);
        });
    }

    private static Sink sink(Consumer<Quote> write, Closer close) {
        return new Sink() {
            @Override
            public void accept(Quote quote) {
                write.accept(quote);
            }

            @Override
            public void close() throws IOException {
                close.close();
            }
        };
    }
}
