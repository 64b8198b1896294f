package io.pipeline.sources;

import java.util.Objects;
import okhttp3.Headers;

/**
 * The one meaning of {@code Options.withHeader} in every source: set a header, replacing an earlier value of that
 * name, validated without ever quoting the value (it may be an API key). Stateless.
 */
final class HeaderValues {
    private HeaderValues() {}

    /**
     * {@code headers} with {@code name} set to {@code value}.
     *
     * @throws IllegalArgumentException if the name or value is not a valid HTTP header; the message names the
     *     header (its unprintable characters replaced) and never quotes the value
     */
    static Headers set(Headers headers, String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, () -> "value of header '" + name.replaceAll("[^\\x21-\\x7e]", "?") + "'");
        try {
            return headers.newBuilder().set(name, value).build();
        } catch (IllegalArgumentException e) {
            // OkHttp's message may quote the value, which may be a secret: name the header only.
            throw new IllegalArgumentException("invalid header name or value for header '"
                    + name.replaceAll("[^\\x21-\\x7e]", "?") + "'");
        }
    }
}
