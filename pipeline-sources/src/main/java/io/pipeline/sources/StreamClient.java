package io.pipeline.sources;

import java.util.Optional;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;

/**
 * The OkHttp client of a streaming source: derived from the caller's client (sharing its connection pool and
 * dispatcher), which the source never shuts down, or a new one the source owns and shuts down when it ends.
 * Immutable.
 *
 * @param client the client to connect with, with the source's settings applied
 * @param owned whether the source created the client, and so shuts it down
 */
record StreamClient(OkHttpClient client, boolean owned) {
    /** Applies {@code settings} to a builder of {@code given}, or of a new client when there is none. */
    static StreamClient derive(Optional<OkHttpClient> given, UnaryOperator<OkHttpClient.Builder> settings) {
        OkHttpClient base = given.orElse(null);
        OkHttpClient.Builder builder = base == null ? new OkHttpClient.Builder() : base.newBuilder();
        return new StreamClient(settings.apply(builder).build(), base == null);
    }

    /** Ends an owned client's dispatcher threads and pooled connections; a caller's client is left alone. */
    void shutdown() {
        if (owned) {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }
}
