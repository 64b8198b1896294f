package io.pipeline.sources.output;

import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
 * <p>Values are separated by commas and quoted as RFC 4180 requires (a value holding a comma, a quote or a line
 * break, or beginning or ending with a space, is quoted, its quotes doubled); each row ends with {@code \n}; the
 * file is UTF-8. {@code java.time} values are written by their ISO-8601 {@code toString()} — an {@code Instant}
 * in UTC, like {@code 2026-11-21T10:15:30Z} — enums by name, numbers and booleans by {@code toString()}, and
 * {@code null} as an empty cell, so every row has one cell per column and stays aligned under the header.
 *
 * <p><b>Header.</b> The header row (the column names) is written only when the file is new or empty, so a
 * restarted pipeline appending to the same file never repeats it. An existing file whose header differs from the
 * columns (other names, another order) is refused at construction, never appended to under the wrong header.
 *
 * <p><b>One writer per file.</b> The file is locked for as long as the output is open: a second output on the
 * same file, in this JVM or another process, fails at construction and leaves the first unaffected. The lock is
 * advisory (it stops other outputs, not other programs), and on Linux it is a POSIX lock, which the kernel drops
 * when this process closes <em>any</em> descriptor of the file: reading the file in this process while the output
 * is open (with {@code Files.readString}, say) leaves other processes free to open it.
 *
 * <p><b>Durability.</b> Every row is written whole; a row cut short by a crash is removed when the file is next
 * opened. When rows reach the operating system is the {@link Durability} of the {@link OutputOptions}: by default
 * group commit — at idle a row is on its way to the operating system when {@code write} returns, under load rows
 * are grouped into few writes; {@link Durability#everyRow()} writes each row before {@code write} returns;
 * {@link Durability#batched(int, Duration)} every N rows or T. {@link #flush()} and {@link #close()} write
 * everything first.
 *
 * <p>Lifecycle: OPEN (constructed) → CLOSED ({@link #close()}). This class is thread-safe: rows written
 * concurrently never interleave. It emits only {@link Processor#ERROR}, when a write on its writer thread fails,
 * from that thread.
 *
 * @param <T> the row type
 */
public final class CsvOutput<T> extends Processor implements AutoCloseable {
    /** The longest header read back from an existing file. */
    private static final int MAX_HEADER_BYTES = 1024 * 1024;

    private final List<String> columns;
    private final Function<? super T, List<?>> values;
    private final LineWriter writer;
    private final CsvLineEncoder encoder = new CsvLineEncoder();

    /**
     * Writes records of {@code recordType}, one column per record component, in declaration order, named after the
     * components, with the default options (group commit).
     *
     * @throws IllegalArgumentException if {@code recordType} is not a record, or has no components, or the file
     *     has another header
     * @throws IllegalStateException if another output, in this JVM or another process, is writing the file
     * @throws java.io.UncheckedIOException if the file cannot be opened
     */
    public CsvOutput(String name, MessageHandler handler, Path file, Class<T> recordType) {
        this(name, handler, file, recordType, OutputOptions.defaults());
    }

    /**
     * Writes records of {@code recordType} as {@link #CsvOutput(String, MessageHandler, Path, Class)} does, with
     * {@code options}.
     *
     * @throws IllegalArgumentException if {@code recordType} is not a record, or has no components, or the file
     *     has another header
     * @throws IllegalStateException if another output, in this JVM or another process, is writing the file
     * @throws java.io.UncheckedIOException if the file cannot be opened
     */
    public CsvOutput(String name, MessageHandler handler, Path file, Class<T> recordType, OutputOptions options) {
        this(name, handler, file, componentNames(recordType), componentValues(recordType), options);
    }

    /**
     * Writes rows as {@code values} turns them into cells, under the header {@code columns}, with the default
     * options (group commit); see {@link #CsvOutput(String, MessageHandler, Path, List, Function, OutputOptions)}.
     *
     * @throws IllegalArgumentException if {@code columns} is empty or holds a duplicate, or the file has another
     *     header
     * @throws IllegalStateException if another output, in this JVM or another process, is writing the file
     * @throws java.io.UncheckedIOException if the file cannot be opened or repaired
     */
    public CsvOutput(String name, MessageHandler handler, Path file, List<String> columns,
            Function<? super T, List<?>> values) {
        this(name, handler, file, columns, values, OutputOptions.defaults());
    }

    /**
     * Writes rows as {@code values} turns them into cells, under the header {@code columns}. A new or empty file
     * gets the header first. If the file exists and is not empty, its first row must be exactly {@code columns}
     * (same names, same order); rows are then appended and no header is written. If its last row was cut short (it
     * does not end with a line break outside quotes), that partial row is first removed, with a warning in the
     * log. The file stays locked until {@link #close()}.
     *
     * @throws IllegalArgumentException if {@code columns} is empty or holds a duplicate, or the file's header is
     *     not {@code columns} (the message names both)
     * @throws IllegalStateException if another output, in this JVM or another process, is writing the file
     * @throws java.io.UncheckedIOException if the file cannot be opened or repaired
     */
    public CsvOutput(String name, MessageHandler handler, Path file, List<String> columns,
            Function<? super T, List<?>> values, OutputOptions options) {
        super(name, handler);
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        this.columns = List.copyOf(Objects.requireNonNull(columns, "columns"));
        this.values = Objects.requireNonNull(values, "values");
        if (this.columns.isEmpty()) {
            throw new IllegalArgumentException("no columns for " + file);
        }
        if (this.columns.stream().distinct().count() != this.columns.size()) {
            throw new IllegalArgumentException("duplicate column in " + this.columns);
        }
        LineFile lines = LineFile.open(file, name, true);
        try {
            checkHeader(lines);
            this.writer = new LineWriter(lines, options, "pipeline-" + name + "-writer", this::writeFailed);
            if (lines.wasEmptyAtOpen()) {
                writer.writeLine(encode(this.columns));
            }
        } catch (RuntimeException | Error e) {
            lines.close();
            throw e;
        }
    }

    private void checkHeader(LineFile lines) {
        byte[] first = lines.firstLine(true, MAX_HEADER_BYTES);
        if (first == null) {
            return;
        }
        List<String> header = Values.parseRecord(new String(first, StandardCharsets.UTF_8));
        if (!header.equals(columns)) {
            throw new IllegalArgumentException(lines.path() + " has the header " + header + ", not the columns "
                    + columns + " of CsvOutput '" + name() + "'; write to another file or use the same columns");
        }
    }

    private void writeFailed(Throwable failure) {
        try {
            emit(ERROR, failure);
        } catch (RuntimeException e) {
            failure.addSuppressed(e); // the handler is closed: the next write or close() throws it
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
     * Appends one row, whole, under the output's {@link Durability}: by default it is on its way to the operating
     * system when this returns (see the class comment). Usable as a listener:
     * {@code processor.on(PRICE, writer::write)}. May be called from any thread.
     *
     * @throws IllegalStateException if closed
     * @throws IllegalArgumentException if the row has more or fewer cells than columns
     * @throws java.io.UncheckedIOException if this write or an earlier one failed; the output then accepts no
     *     more rows
     */
    public void write(T row) {
        Objects.requireNonNull(row, "row");
        if (writer.isClosed()) {
            throw new IllegalStateException("CsvOutput '" + name() + "' is closed: " + file());
        }
        List<?> cells = Objects.requireNonNull(values.apply(row), "values returned null");
        if (cells.size() != columns.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " values for " + columns.size()
                    + " columns " + columns + ": " + row);
        }
        encoder.encode(cells, writer::appendLine);
    }

    private static byte[] encode(List<String> cells) {
        StringBuilder record = new StringBuilder(16 * cells.size());
        Values.appendRecord(record, cells);
        return record.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Hands every row written so far to the operating system before returning.
     *
     * @throws java.io.UncheckedIOException if a write failed
     */
    public void flush() {
        writer.flush();
    }

    /** The column names, in order. */
    public List<String> columns() {
        return columns;
    }

    /** The file written to. */
    public Path file() {
        return writer.path();
    }

    /** When rows are handed to the operating system. */
    public Durability durability() {
        return writer.durability();
    }

    /** Package-private: {@code write(2)} calls made so far. */
    long writes() {
        return writer.writes();
    }

    /**
     * Hands every row written to the operating system, ends the output's writer thread and releases the file and
     * its lock. Idempotent.
     *
     * @throws java.io.UncheckedIOException if the last write or an earlier one failed (the file is released all the
     *     same)
     */
    @Override
    public void close() {
        writer.close();
    }
}
