package io.pipeline.sources;

import java.io.IOException;
import java.util.function.LongConsumer;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import okio.Source;

/**
 * Reports the {@code retry:} fields of a Server-Sent Events stream as it is read. okhttp-sse parses the field but
 * does not expose it, so this interceptor watches the response bytes on their way to okhttp-sse's reader: a line
 * {@code retry:} followed by ASCII digits (one optional space after the colon) reports the number of
 * milliseconds, as the SSE specification defines; any other value is ignored. Lines end with CR, LF or CRLF.
 *
 * <p>The scanner keeps a few bytes of state per line, whatever the line length. Its callback runs on the thread
 * reading the stream. Not thread-safe: one instance per response body.
 */
final class SseRetryScanner {
    private static final String PREFIX = "retry:";
    private static final long MAX_RETRY_MILLIS = 1L << 40; // larger values are treated as invalid

    private final LongConsumer onRetry;
    private int matched; // chars of PREFIX matched on this line, or -1 when the line is not a valid retry line
    private boolean spaceAllowed;
    private boolean digits;
    private long value;

    SseRetryScanner(LongConsumer onRetry) {
        this.onRetry = onRetry;
    }

    /** An interceptor that scans every successful response body for {@code retry:} fields. */
    static Interceptor interceptor(LongConsumer onRetry) {
        return chain -> {
            Response response = chain.proceed(chain.request());
            ResponseBody body = response.body();
            if (!response.isSuccessful()) {
                return response;
            }
            SseRetryScanner scanner = new SseRetryScanner(onRetry);
            BufferedSource scanned = Okio.buffer(scanner.wrap(body.source()));
            MediaType type = body.contentType();
            return response.newBuilder().body(ResponseBody.create(scanned, type, body.contentLength())).build();
        };
    }

    Source wrap(Source source) {
        return new ForwardingSource(source) {
            @Override
            public long read(Buffer sink, long byteCount) throws IOException {
                long start = sink.size();
                long read = super.read(sink, byteCount);
                for (long i = 0; i < read; i++) {
                    accept(sink.getByte(start + i));
                }
                return read;
            }
        };
    }

    /** Feeds one byte of the stream. */
    void accept(byte b) {
        if (b == '\n' || b == '\r') {
            if (matched == PREFIX.length() && digits) {
                onRetry.accept(value);
            }
            matched = 0;
            spaceAllowed = false;
            digits = false;
            value = 0;
        } else if (matched < 0) {
            return;
        } else if (matched < PREFIX.length()) {
            matched = b == PREFIX.charAt(matched) ? matched + 1 : -1;
            spaceAllowed = matched == PREFIX.length();
        } else if (b == ' ' && spaceAllowed) {
            spaceAllowed = false;
        } else if (b >= '0' && b <= '9') {
            spaceAllowed = false;
            digits = true;
            value = value * 10 + (b - '0');
            if (value > MAX_RETRY_MILLIS) {
                matched = -1;
            }
        } else {
            matched = -1;
        }
    }
}
