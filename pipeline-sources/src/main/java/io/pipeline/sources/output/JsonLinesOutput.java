package io.pipeline.sources.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * Appends values to a JSON Lines file: one JSON document per line, in UTF-8.
 *
 * <pre>{@code
 * var writer = closeOnStop(new JsonLinesOutput<Quote>(processorName("writer"), handler, Path.of("aapl.jsonl")));
 * processor.on(HandleRawData.PRICE, writer::write);
 * }</pre>
 *
 * <p>Output is never indented, whatever the mapper's settings, and a raw line break a serializer writes between
 * tokens (a multi-line {@code @JsonRawValue}, say) becomes a space, so a value always takes exactly one line. A
 * {@code null} property is written as JSON {@code null} by the default mapper, so every line of a record type has
 * the same properties (the counterpart of CSV's empty cell); a caller who wants nulls omitted passes a mapper with
 * {@code setSerializationInclusion(JsonInclude.Include.NON_NULL)}.
 *
 * <p><b>One writer per file.</b> The file is locked for as long as the output is open: a second output on the
 * same file, in this JVM or another process, fails at construction and leaves the first unaffected. The lock is
 * advisory (it stops other outputs, not other programs), and on Linux it is a POSIX lock, which the kernel drops
 * when this process closes <em>any</em> descriptor of the file: reading the file in this process while the output
 * is open (with {@code Files.readString}, say) leaves other processes free to open it.
 *
 * <p><b>Durability.</b> Every line is written whole; a line cut short by a crash is removed when the file is next
 * opened, with a warning in the log. When lines reach the operating system is the {@link Durability} of the
 * {@link OutputOptions}: by default group commit — at idle a line is on its way to the operating system when
 * {@code write} returns, under load lines are grouped into few writes; {@link Durability#everyRow()} writes each
 * line before {@code write} returns; {@link Durability#batched(int, java.time.Duration)} every N lines or T.
 * {@link #flush()} and {@link #close()} write everything first.
 *
 * <p>Lifecycle: OPEN (constructed) → CLOSED ({@link #close()}). This class is thread-safe: values written
 * concurrently never interleave. It emits only {@link Processor#ERROR}, when a write on its writer thread fails,
 * from that thread.
 *
 * @param <T> the value type
 */
public final class JsonLinesOutput<T> extends Processor implements AutoCloseable {
    private static final ObjectMapper DEFAULT_MAPPER = new ObjectMapper().registerModule(
            new SimpleModule("java-time-iso")
            .addSerializer(Instant.class, ToStringSerializer.instance)
            .addSerializer(LocalDate.class, ToStringSerializer.instance)
            .addSerializer(LocalDateTime.class, ToStringSerializer.instance)
            .addSerializer(LocalTime.class, ToStringSerializer.instance)
            .addSerializer(OffsetDateTime.class, ToStringSerializer.instance)
            .addSerializer(ZonedDateTime.class, ToStringSerializer.instance)
            .addSerializer(Duration.class, ToStringSerializer.instance));

    private final JsonLineEncoder json;
    private final LineWriter writer;

    /**
     * Appends to {@code file} with a default mapper that writes the common {@code java.time} types as ISO-8601
     * strings ({@code Instant} in UTC) and the default options (group commit).
     *
     * @throws IllegalStateException if another output, in this JVM or another process, is writing the file
     * @throws java.io.UncheckedIOException if the file cannot be opened or repaired
     */
    public JsonLinesOutput(String name, MessageHandler handler, Path file) {
        this(name, handler, file, DEFAULT_MAPPER, OutputOptions.defaults());
    }

    /**
     * Appends to {@code file} with the default mapper and {@code options}.
     *
     * @throws IllegalStateException if another output, in this JVM or another process, is writing the file
     * @throws java.io.UncheckedIOException if the file cannot be opened or repaired
     */
    public JsonLinesOutput(String name, MessageHandler handler, Path file, OutputOptions options) {
        this(name, handler, file, DEFAULT_MAPPER, options);
    }

    /**
     * Appends to {@code file}, serializing with {@code mapper} (its modules and settings apply, except indentation),
     * with the default options (group commit).
     *
     * @throws IllegalStateException if another output, in this JVM or another process, is writing the file
     * @throws java.io.UncheckedIOException if the file cannot be opened or repaired
     */
    public JsonLinesOutput(String name, MessageHandler handler, Path file, ObjectMapper mapper) {
        this(name, handler, file, mapper, OutputOptions.defaults());
    }

    /**
     * Appends to {@code file}, serializing with {@code mapper} (its modules and settings apply, except indentation),
     * with {@code options}. The file stays locked until {@link #close()}.
     *
     * @throws IllegalStateException if another output, in this JVM or another process, is writing the file
     * @throws java.io.UncheckedIOException if the file cannot be opened or repaired
     */
    public JsonLinesOutput(String name, MessageHandler handler, Path file, ObjectMapper mapper,
            OutputOptions options) {
        super(name, handler);
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        this.json = new JsonLineEncoder(Objects.requireNonNull(mapper, "mapper").writer());
        LineFile lines = LineFile.open(file, name, false);
        try {
            this.writer = new LineWriter(lines, options, "pipeline-" + name + "-writer", this::writeFailed);
        } catch (RuntimeException | Error e) {
            lines.close();
            throw e;
        }
    }

    private void writeFailed(Throwable failure) {
        try {
            emit(ERROR, failure);
        } catch (RuntimeException e) {
            failure.addSuppressed(e); // the handler is closed: the next write or close() throws it
        }
    }

    /**
     * Appends {@code row} as one line, whole, under the output's {@link Durability}: by default it is on its way to
     * the operating system when this returns (see the class comment). Usable as a listener. May be called from any
     * thread.
     *
     * @throws IllegalStateException if closed
     * @throws IllegalArgumentException if {@code row} cannot be serialized
     * @throws java.io.UncheckedIOException if this write or an earlier one failed; the output then accepts no
     *     more rows
     */
    public void write(T row) {
        Objects.requireNonNull(row, "row");
        if (writer.isClosed()) {
            throw new IllegalStateException("JsonLinesOutput '" + name() + "' is closed: " + file());
        }
        json.encode(row, writer::appendLine);
    }

    /**
     * Hands every line written so far to the operating system before returning.
     *
     * @throws java.io.UncheckedIOException if a write failed
     */
    public void flush() {
        writer.flush();
    }

    /** The file written to. */
    public Path file() {
        return writer.path();
    }

    /** When lines are handed to the operating system. */
    public Durability durability() {
        return writer.durability();
    }

    /** Package-private: {@code write(2)} calls made so far. */
    long writes() {
        return writer.writes();
    }

    /**
     * Hands every line written to the operating system, ends the output's writer thread and releases the file and
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
