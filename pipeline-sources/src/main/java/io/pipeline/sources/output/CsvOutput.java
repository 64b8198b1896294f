package io.pipeline.sources.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Appends rows to a CSV file: the end of a pipeline, registered as a listener of the processor that produces the
 * rows.
 *
 * <pre>{@code
 * record Quote(Instant time, String symbol, double price) {}
 * var writer = closeOnStop(new CsvOutput<>(processorName("writer"), handler, Path.of("aapl.csv"), Quote.class));
 * processor.on(HandleRawData.PRICE, writer::write);
 * }</pre>
 *
 * <p>Values are written with jackson-dataformat-csv: separated by commas, quoted as RFC 4180 requires (values
 * holding a comma, a quote or a line break are quoted, quotes doubled), each row ended by {@code \n}, in UTF-8.
 * {@code java.time} values are written by their ISO-8601 {@code toString()} — an {@code Instant} in UTC, like
 * {@code 2026-11-21T10:15:30Z} — enums by name, {@code null} as an empty value.
 *
 * <p>The header row (the column names) is written only when the file is new or empty, so a restarted pipeline
 * appending to the same file never repeats it. Every row is written whole in one write straight to the operating
 * system; a row cut short by a crash is removed when the file is next opened (see the constructor).
 *
 * <p>Lifecycle: OPEN (constructed) → CLOSED ({@link #close()}). This class is thread-safe: rows written
 * concurrently never interleave. It emits nothing.
 *
 * @param <T> the row type
 */
public final class CsvOutput<T> extends Processor implements AutoCloseable {
    private static final CsvMapper MAPPER = new CsvMapper();

    private final List<String> columns;
    private final Function<? super T, List<?>> values;
    private final ObjectWriter writer;
    private final LineAppender appender;

    /**
     * Writes records of {@code recordType}, one column per record component, in declaration order, named after the
     * components.
     *
     * @throws IllegalArgumentException if {@code recordType} is not a record, or has no components
     * @throws java.io.UncheckedIOException if the file cannot be opened
     */
    public CsvOutput(String name, MessageHandler handler, Path file, Class<T> recordType) {
        this(name, handler, file, componentNames(recordType), componentValues(recordType));
    }

    /**
     * Writes rows as {@code values} turns them into cells, under the header {@code columns}. If the file exists and
     * is not empty, rows are appended to it and no header is written; if its last row was cut short (it does not
     * end with a line break outside quotes), that partial row is first removed, with a warning in the log.
     *
     * @throws IllegalArgumentException if {@code columns} is empty or holds a duplicate
     * @throws java.io.UncheckedIOException if the file cannot be opened or repaired
     */
    public CsvOutput(String name, MessageHandler handler, Path file, List<String> columns,
            Function<? super T, List<?>> values) {
        super(name, handler);
        Objects.requireNonNull(file, "file");
        this.columns = List.copyOf(Objects.requireNonNull(columns, "columns"));
        this.values = Objects.requireNonNull(values, "values");
        if (this.columns.isEmpty()) {
            throw new IllegalArgumentException("no columns for " + file);
        }
        if (this.columns.stream().distinct().count() != this.columns.size()) {
            throw new IllegalArgumentException("duplicate column in " + this.columns);
        }
        this.writer = MAPPER.writer(CsvSchema.emptySchema().withoutHeader());
        this.appender = LineAppender.open(file, true);
        if (appender.wasEmptyAtOpen()) {
            appender.append(encode(new ArrayList<>(this.columns)));
        }
    }

    private static List<String> componentNames(Class<?> recordType) {
        return Arrays.stream(components(recordType)).map(RecordComponent::getName).toList();
    }

    private static RecordComponent[] components(Class<?> recordType) {
        Objects.requireNonNull(recordType, "recordType");
        if (!recordType.isRecord()) {
            throw new IllegalArgumentException(recordType.getName() + " is not a record");
        }
        RecordComponent[] components = recordType.getRecordComponents();
        if (components.length == 0) {
            throw new IllegalArgumentException(recordType.getName() + " has no components");
        }
        return components;
    }

    private static <T> Function<T, List<?>> componentValues(Class<T> recordType) {
        RecordComponent[] components = components(recordType);
        Method[] accessors = new Method[components.length];
        for (int i = 0; i < components.length; i++) {
            accessors[i] = components[i].getAccessor();
            try {
                accessors[i].setAccessible(true); // records declared package-private or nested in other classes
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cannot read component " + components[i].getName() + " of "
                        + recordType.getName() + ": " + e.getMessage(), e);
            }
        }
        return row -> {
            List<Object> cells = new ArrayList<>(accessors.length);
            for (Method accessor : accessors) {
                try {
                    cells.add(accessor.invoke(row));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot read " + accessor.getName() + " of " + row, e);
                } catch (InvocationTargetException e) {
                    throw new IllegalStateException("accessor " + accessor.getName() + " of "
                            + recordType.getName() + " threw", e.getCause());
                }
            }
            return cells;
        };
    }

    /**
     * Appends one row and hands it to the operating system before returning. Usable as a listener:
     * {@code processor.on(PRICE, writer::write)}. May be called from any thread.
     *
     * @throws IllegalStateException if closed
     * @throws IllegalArgumentException if the row has more or fewer cells than columns
     * @throws java.io.UncheckedIOException if the write fails
     */
    public void write(T row) {
        Objects.requireNonNull(row, "row");
        if (appender.isClosed()) {
            throw new IllegalStateException("CsvOutput '" + name() + "' is closed: " + appender.file());
        }
        List<?> cells = Objects.requireNonNull(values.apply(row), "values returned null");
        if (cells.size() != columns.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " values for " + columns.size()
                    + " columns " + columns + ": " + row);
        }
        List<Object> converted = new ArrayList<>(cells.size());
        for (Object cell : cells) {
            converted.add(Values.cell(cell));
        }
        appender.append(encode(converted));
    }

    private byte[] encode(List<Object> cells) {
        try {
            return writer.writeValueAsString(cells).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode row " + cells + " as CSV: " + e.getOriginalMessage(), e);
        }
    }

    /** The column names, in order. */
    public List<String> columns() {
        return columns;
    }

    /** The file written to. */
    public Path file() {
        return appender.file();
    }

    /** Releases the file; every written row is already in it. Idempotent. */
    @Override
    public void close() {
        appender.close();
    }
}
