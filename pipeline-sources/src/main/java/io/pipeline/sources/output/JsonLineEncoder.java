package io.pipeline.sources.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serializes values to JSON for {@link JsonLinesOutput}, cheaply. {@code ObjectWriter.writeValueAsBytes} builds a
 * serializer provider, a generator and a result array for every value (about 600 bytes per small record, most of
 * an output's cost per row); a {@link SequenceWriter} keeps one provider and one generator for the values it
 * writes. So one sequence writer, writing into a reusable buffer, serves whoever takes {@code busy}; a thread that
 * finds it taken (another thread is serializing, or a serializer writes to the same output re-entrantly) falls back
 * to {@code writeValueAsBytes}. {@code busy} is a flag, not a lock: nobody ever waits for it, so running the
 * mapper's serializers (user code) while holding it blocks no one. A serializer that throws leaves the sequence
 * writer in an unknown state: it is replaced.
 *
 * <p>This class is thread-safe.
 */
final class JsonLineEncoder {
    private final ObjectWriter writer;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final Bytes bytes = new Bytes(); // guarded by busy
    private SequenceWriter sequence; // guarded by busy

    JsonLineEncoder(ObjectWriter writer) {
        this.writer = writer.without(SerializationFeature.INDENT_OUTPUT)
                .without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE).withRootValueSeparator("");
    }

    /**
     * Serializes {@code value} and hands the bytes to {@code sink} (which must copy what it keeps), without a line
     * break.
     *
     * @throws IllegalArgumentException if {@code value} cannot be serialized
     */
    void encode(Object value, Sink sink) {
        if (!busy.compareAndSet(false, true)) {
            byte[] json = writeValueAsBytes(value);
            sink.accept(json, oneLine(json, json.length));
            return;
        }
        try {
            bytes.reset();
            try {
                if (sequence == null) {
                    sequence = writer.writeValues(bytes);
                }
                sequence.write(value);
                sequence.flush();
            } catch (IOException | RuntimeException e) {
                sequence = null; // half a value may be in its generator
                throw failure(value, e);
            }
            sink.accept(bytes.array(), oneLine(bytes.array(), bytes.size()));
        } finally {
            if (bytes.array().length > 1024 * 1024) {
                bytes.release(); // one huge value must not pin its buffer
            }
            busy.set(false);
        }
    }

    /**
     * Turns every CR and LF byte of {@code json[0, length)} into a space, in place, and returns {@code length}.
     * Jackson escapes line breaks inside strings, so a raw one can only come from a raw value
     * ({@code @JsonRawValue}, {@code writeRaw}) or a pretty printer, where in valid JSON it is whitespace between
     * tokens: a space means the same and keeps the value on its line. (UTF-8 continuation bytes are never
     * {@code 0x0A} or {@code 0x0D}.)
     */
    static int oneLine(byte[] json, int length) {
        for (int i = 0; i < length; i++) {
            byte b = json[i];
            if (b == '\n' || b == '\r') {
                json[i] = ' ';
            }
        }
        return length;
    }

    private byte[] writeValueAsBytes(Object value) {
        try {
            return writer.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw failure(value, e);
        }
    }

    private static RuntimeException failure(Object value, Exception e) {
        String reason = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (e instanceof IOException io && !(e instanceof JsonProcessingException)) {
            return new UncheckedIOException("cannot write " + value.getClass().getName() + " as JSON: " + reason, io);
        }
        return new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON: " + reason, e);
    }

    /** Takes {@code bytes[0, length)}; must copy what it keeps. */
    interface Sink {
        void accept(byte[] bytes, int length);
    }

    /** A growable byte sink whose array is read in place. Not thread-safe. */
    private static final class Bytes extends OutputStream {
        private byte[] buf = new byte[512];
        private int size;

        @Override
        public void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        byte[] array() {
            return buf;
        }

        int size() {
            return size;
        }

        void reset() {
            size = 0;
        }

        void release() {
            buf = new byte[512];
            size = 0;
        }
    }
}
