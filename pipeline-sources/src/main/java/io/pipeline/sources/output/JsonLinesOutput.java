package io.pipeline.sources.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
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
 * <p>Every line is written whole in one write straight to the operating system; a line cut short by a crash is
 * removed when the file is next opened, with a warning in the log. Output is never indented, whatever the
 * mapper's settings, so a value always takes exactly one line.
 *
 * <p>Lifecycle: OPEN (constructed) → CLOSED ({@link #close()}). This class is thread-safe: values written
 * concurrently never interleave. It emits nothing.
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

    private final ObjectWriter writer;
    private final LineAppender appender;

    /**
     * Appends to {@code file} with a default mapper that writes the common {@code java.time} types as ISO-8601
     * strings ({@code Instant} in UTC).
     *
     * @throws java.io.UncheckedIOException if the file cannot be opened or repaired
     */
    public JsonLinesOutput(String name, MessageHandler handler, Path file) {
        this(name, handler, file, DEFAULT_MAPPER);
    }

    /**
     * Appends to {@code file}, serializing with {@code mapper} (its modules and settings apply, except indentation).
     *
     * @throws java.io.UncheckedIOException if the file cannot be opened or repaired
     */
    public JsonLinesOutput(String name, MessageHandler handler, Path file, ObjectMapper mapper) {
        super(name, handler);
        Objects.requireNonNull(file, "file");
        this.writer = Objects.requireNonNull(mapper, "mapper").writer().without(SerializationFeature.INDENT_OUTPUT);
        this.appender = LineAppender.open(file, false);
    }

    /**
     * Appends {@code row} as one line and hands it to the operating system before returning. Usable as a listener.
     * May be called from any thread.
     *
     * @throws IllegalStateException if closed
     * @throws IllegalArgumentException if {@code row} cannot be serialized
     * @throws java.io.UncheckedIOException if the write fails
     */
    public void write(T row) {
        Objects.requireNonNull(row, "row");
        if (appender.isClosed()) {
            throw new IllegalStateException("JsonLinesOutput '" + name() + "' is closed: " + appender.file());
        }
        byte[] json;
        try {
            json = writer.writeValueAsBytes(row);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + row.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        appender.append(line);
    }

    /** The file written to. */
    public Path file() {
        return appender.file();
    }

    /** Releases the file; every written line is already in it. Idempotent. */
    @Override
    public void close() {
        appender.close();
    }
}
