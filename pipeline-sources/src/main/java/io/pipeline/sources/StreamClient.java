package io.pipeline.sources;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The OkHttp client of a streaming source: derived from the caller's client (sharing its connection pool and
 * executor threads), which the source never shuts down, or a new one the source owns and shuts down when it ends.
 *
 * <p>Either way the derived client gets a {@link Dispatcher} of its own, with limits of {@value #MAX_REQUESTS}:
 * a stream holds a dispatcher slot for as long as it is open, so under OkHttp's default of 5 requests per host the
 * sixth long-lived stream to one host would wait silently for one of the others to end. A caller's client keeps
 * its executor (and so its threads); its dispatcher's limits and queue are not used for the source's streams.
 * Immutable.
 *
 * @param client the client to connect with, with the source's settings applied
 * @param owned whether the source created the client, and so shuts it down
 */
record StreamClient(OkHttpClient client, boolean owned) {
    /** The dispatcher limits of a stream client, in all and per host. */
    static final int MAX_REQUESTS = 1024;

    /**
     * Applies {@code settings} to a builder of {@code given}, or of a new client (whose threads are named
     * {@code threadName-N}) when {@code given} is null.
     */
    static StreamClient derive(OkHttpClient given, String threadName, UnaryOperator<OkHttpClient.Builder> settings) {
        ExecutorService executor = given != null ? given.dispatcher().executorService() : ownExecutor(threadName);
        Dispatcher dispatcher = new Dispatcher(executor);
        dispatcher.setMaxRequests(MAX_REQUESTS);
        dispatcher.setMaxRequestsPerHost(MAX_REQUESTS);
        OkHttpClient.Builder builder = given == null ? new OkHttpClient.Builder() : given.newBuilder();
        return new StreamClient(settings.apply(builder.dispatcher(dispatcher)).build(), given == null);
    }

    private static ExecutorService ownExecutor(String threadName) {
        AtomicInteger ids = new AtomicInteger();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
            Thread thread = new Thread(task, threadName + "-" + ids.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Ends an owned client's dispatcher threads and pooled connections; a caller's client is left alone. */
    void shutdown() {
        if (owned) {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        } else {
            client.dispatcher().cancelAll(); // this source's own dispatcher: only its calls
        }
    }
}
