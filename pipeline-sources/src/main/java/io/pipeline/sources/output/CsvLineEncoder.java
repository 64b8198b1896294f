package io.pipeline.sources.output;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Encodes one CSV record into UTF-8 bytes for {@link CsvOutput}, without intermediate strings: numbers are
 * appended as they are ({@code StringBuilder.append(double)} writes what {@code Double.toString} would), text is
 * quoted as {@link Values} says. One text buffer and one byte buffer are reused by whoever takes {@code busy}; a
 * thread that finds it taken (another thread is encoding, or a cell's {@code toString()} writes to the same
 * output re-entrantly) encodes with buffers of its own. {@code busy} is a flag, not a lock: nobody waits for it, so
 * calling cells' {@code toString()} (user code) while holding it blocks no one.
 *
 * <p>This class is thread-safe.
 */
final class CsvLineEncoder {
    private static final int KEEP = 64 * 1024;

    private final AtomicBoolean busy = new AtomicBoolean();
    private StringBuilder text = new StringBuilder(256); // guarded by busy
    private byte[] bytes = new byte[256]; // guarded by busy

    /** Encodes {@code cells} as one record without its line break and hands the bytes to {@code sink}. */
    void encode(List<?> cells, JsonLineEncoder.Sink sink) {
        if (!busy.compareAndSet(false, true)) {
            StringBuilder own = new StringBuilder(16 * cells.size());
            append(own, cells);
            byte[] encoded = own.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            sink.accept(encoded, encoded.length);
            return;
        }
        try {
            text.setLength(0);
            append(text, cells);
            int length = utf8(text);
            sink.accept(bytes, length);
        } finally {
            if (text.capacity() > KEEP || bytes.length > 3 * KEEP) { // one huge row must not pin its buffers
                text = new StringBuilder(256);
                bytes = new byte[256];
            }
            busy.set(false);
        }
    }

    private static void append(StringBuilder out, List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            Object cell = cells.get(i);
            if (cell instanceof Double d) {
                out.append(d.doubleValue());
            } else if (cell instanceof Long l) {
                out.append(l.longValue());
            } else if (cell instanceof Integer n) {
                out.append(n.intValue());
            } else if (cell instanceof Float f) {
                out.append(f.floatValue());
            } else if (cell instanceof Boolean b) {
                out.append(b.booleanValue());
            } else if (cell != null) {
                Values.appendCell(out, Values.cell(cell));
            }
        }
    }

    /** UTF-8 of {@code chars} into {@code bytes}; returns the length. An unpaired surrogate becomes {@code '?'}. */
    private int utf8(CharSequence chars) {
        int n = chars.length();
        if (bytes.length < 3 * n) {
            bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, 3 * n + 4)); // at most 3 bytes per char
        }
        byte[] out = bytes;
        int j = 0;
        for (int i = 0; i < n; i++) {
            char c = chars.charAt(i);
            if (c < 0x80) {
                out[j++] = (byte) c;
            } else if (c < 0x800) {
                out[j++] = (byte) (0xC0 | (c >> 6));
                out[j++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(chars.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, chars.charAt(++i));
                out[j++] = (byte) (0xF0 | (cp >> 18));
                out[j++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[j++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[j++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                out[j++] = '?';
            } else {
                out[j++] = (byte) (0xE0 | (c >> 12));
                out[j++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[j++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return j;
    }
}
