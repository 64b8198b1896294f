package io.pipeline.sources;

import java.io.IOException;
import okio.Buffer;
import okio.BufferedSource;
import okio.ByteString;

/**
 * Parses a {@code text/event-stream} as the WHATWG HTML standard's "event stream interpretation" defines it,
 * reading from an Okio source without copying it byte by byte: each line is found with one
 * {@link Buffer#indexOfElement} over the buffered segments and decoded with one {@link Buffer#readUtf8(long)}.
 *
 * <ul>
 *   <li>One leading U+FEFF byte order mark is stripped; lines end with CRLF, LF or CR; bytes are UTF-8, malformed
 *       sequences decode to U+FFFD.</li>
 *   <li>A line starting with {@code :} is a comment; {@code field:value} drops one space after the colon; a line
 *       without a colon is a field with an empty value; unknown fields are ignored.</li>
 *   <li>{@code data} appends its value and a LF to the data buffer; {@code event} sets the type; {@code id} sets
 *       the last event id unless the value contains U+0000 (an empty value resets it); {@code retry} sets the
 *       reconnection time when the value is ASCII digits only.</li>
 *   <li>An empty line dispatches: the last event id is committed; when the data buffer is empty nothing is
 *       emitted; otherwise one event with the data (its last LF removed), the type ({@code message} when empty)
 *       and the last event id. At the end of the stream an event not yet dispatched is discarded.</li>
 * </ul>
 *
 * <p>Memory is bounded by {@code maxEventBytes}: a line, or the fields of one event together, larger than that
 * (in UTF-8 bytes) throws {@link TooLargeException} after buffering at most that many bytes and one segment.
 * Not thread-safe: one instance per stream, used on the thread that reads it.
 */
final class SseReader {
    /** What the parser found. Called on the reading thread. */
    interface Handler {
        /** One dispatched event; {@code id} is the last event id, empty when none. */
        void onEvent(String id, String type, String data) throws IOException;

        /** A valid {@code retry:} field, in milliseconds. */
        void onRetry(long millis);

        /** The last event id after a dispatch, empty when reset; called before {@link #onEvent}. */
        void onLastEventId(String id);
    }

    /** A line or event exceeds the cap. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    private static final ByteString LINE_ENDS = ByteString.encodeUtf8("\r\n");
    private static final ByteString BOM = ByteString.of((byte) 0xEF, (byte) 0xBB, (byte) 0xBF);
    private static final long MAX_RETRY_MILLIS = 1L << 40; // larger values are treated as invalid

    private final BufferedSource source;
    private final Handler handler;
    private final long maxEventBytes;
    private final StringBuilder data = new StringBuilder();
    private String type = "";
    private String idBuffer;
    private long eventBytes; // UTF-8 bytes of the fields of the event being read
    private boolean skipLf; // the last line ended with CR: a LF right after it belongs to that line end

    /** @param lastEventId the last event id to start from (from earlier connections), empty for none */
    SseReader(BufferedSource source, Handler handler, long maxEventBytes, String lastEventId) {
        this.source = source;
        this.handler = handler;
        this.maxEventBytes = maxEventBytes;
        this.idBuffer = lastEventId;
    }

    /**
     * Reads the stream to its end, handing over every event.
     *
     * @throws TooLargeException if a line or an event exceeds the cap
     * @throws IOException if reading fails, or as the handler throws
     */
    void readAll() throws IOException {
        if (source.rangeEquals(0, BOM)) {
            source.skip(BOM.size());
        }
        String line;
        while ((line = readLine()) != null) {
            processLine(line);
        }
    }

    /** The next line without its end, or null at the end of the stream (a last unterminated line is dropped). */
    private String readLine() throws IOException {
        Buffer buffer = source.getBuffer();
        if (skipLf) {
            if (!source.request(1)) {
                return null;
            }
            if (buffer.getByte(0) == '\n') {
                buffer.skip(1);
            }
            skipLf = false;
        }
        long scanned = 0;
        while (true) {
            long end = buffer.indexOfElement(LINE_ENDS, scanned);
            if (end >= 0) {
                if (end > maxEventBytes) {
                    throw tooLarge("a line of " + end + " bytes");
                }
                String line = buffer.readUtf8(end);
                byte terminator = buffer.readByte();
                if (terminator == '\r') {
                    if (buffer.size() > 0) {
                        if (buffer.getByte(0) == '\n') {
                            buffer.skip(1);
                        }
                    } else {
                        skipLf = true; // the LF, if any, has not arrived yet: do not wait for it to dispatch
                    }
                }
                return line;
            }
            scanned = buffer.size();
            if (scanned > maxEventBytes) {
                throw tooLarge("a line of more than " + maxEventBytes + " bytes");
            }
            if (!source.request(scanned + 1)) {
                return null;
            }
        }
    }

    private void processLine(String line) throws IOException {
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        if (line.charAt(0) == ':') {
            return;
        }
        int colon = line.indexOf(':');
        String field;
        String value;
        if (colon < 0) {
            field = line;
            value = "";
        } else {
            field = line.substring(0, colon);
            int start = colon + 1;
            if (start < line.length() && line.charAt(start) == ' ') {
                start++;
            }
            value = line.substring(start);
        }
        switch (field) {
            case "data" -> {
                grow(value);
                data.append(value).append('\n');
            }
            case "event" -> {
                grow(value);
                type = value;
            }
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    grow(value);
                    idBuffer = value;
                }
            }
            case "retry" -> retry(value);
            default -> { } // ignored, as the standard says
        }
    }

    private void grow(String value) throws TooLargeException {
        // A char is at most 3 UTF-8 bytes; the exact count is needed only near the cap.
        long size = value.length() * 3L + eventBytes <= maxEventBytes ? value.length() : okio.Utf8.size(value);
        eventBytes += size + 1;
        if (eventBytes > maxEventBytes) {
            throw tooLarge("an event of more than " + maxEventBytes + " bytes");
        }
    }

    private void retry(String value) {
        if (value.isEmpty() || value.length() > 13) {
            return;
        }
        long millis = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return;
            }
            millis = millis * 10 + (c - '0');
        }
        if (millis <= MAX_RETRY_MILLIS) {
            handler.onRetry(millis);
        }
    }

    private void dispatch() throws IOException {
        String id = idBuffer;
        handler.onLastEventId(id);
        eventBytes = 0;
        if (data.length() == 0) {
            type = "";
            return;
        }
        data.setLength(data.length() - 1);
        String payload = data.toString();
        String eventType = type.isEmpty() ? SseSource.DEFAULT_TYPE : type;
        data.setLength(0);
        type = "";
        handler.onEvent(id, eventType, payload);
    }

    private TooLargeException tooLarge(String what) {
        data.setLength(0);
        return new TooLargeException(what + " exceeds maxEventBytes " + maxEventBytes);
    }
}
