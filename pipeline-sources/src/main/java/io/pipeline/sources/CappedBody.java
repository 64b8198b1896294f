package io.pipeline.sources;

import java.io.IOException;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/** Reads a response body into memory, refusing one larger than a cap. Stateless. */
final class CappedBody {
    private CappedBody() {}

    /** The body is larger than the cap; the message says by which measure. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    /**
     * The bytes of {@code body}, if there are at most {@code max}.
     *
     * @throws TooLargeException if its {@code Content-Length} or the bytes actually sent exceed {@code max}
     * @throws IOException if the body cannot be read to its end
     */
    static byte[] read(ResponseBody body, long max) throws IOException {
        long declared = body.contentLength();
        if (declared > max) {
            throw new TooLargeException(
                    "body of " + declared + " bytes (Content-Length) exceeds maxBodyBytes " + max);
        }
        BufferedSource source = body.source();
        Buffer buffer = new Buffer();
        // Read at most max + 1 bytes: one more than allowed proves the body is too large without buffering it.
        while (buffer.size() <= max) {
            long read = source.read(buffer, Math.min(8192, max + 1 - buffer.size()));
            if (read == -1) {
                return buffer.readByteArray();
            }
        }
        buffer.clear();
        throw new TooLargeException("body exceeds maxBodyBytes " + max);
    }
}
