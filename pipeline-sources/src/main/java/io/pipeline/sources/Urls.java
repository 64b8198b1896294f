package io.pipeline.sources;

import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;

/** Makes URLs safe to put in logs and exception messages. */
final class Urls {
    private static final Set<String> SECRET_WORDS =
            Set.of("key", "token", "secret", "password", "passwd", "pwd", "auth", "signature", "sig", "credential",
                    "session", "code");
    static final String REDACTED = "REDACTED";

    private Urls() {}

    /**
     * {@code url} without user info and with the values of secret-looking query parameters (names containing
     * key, token, secret, password, auth, signature, credential, session or code) replaced by {@value #REDACTED}.
     */
    static String redact(HttpUrl url) {
        HttpUrl.Builder builder = url.newBuilder().username("").password("");
        for (String name : url.queryParameterNames()) {
            if (isSecret(name)) {
                builder.setQueryParameter(name, REDACTED);
            }
        }
        return builder.build().toString();
    }

    /** Like {@link #redact(HttpUrl)} for a string; an unparseable URL is reduced to its scheme and host part. */
    static String redact(String url) {
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed != null) {
            return redact(parsed);
        }
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?" + REDACTED;
    }

    static boolean isSecret(String parameterName) {
        String lower = parameterName.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (lower.contains(word)) {
                return true;
            }
        }
        return false;
    }
}
