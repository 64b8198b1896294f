package io.pipeline.sources;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The client and scheduler every {@link RestSource} shares unless its options name its own. Both are created on
 * first use and run only daemon threads that end when idle, so they never keep the JVM alive. Thread-safe.
 */
final class RestDefaults {
    private RestDefaults() {}

    /** One daemon scheduler thread for every source, ended when nothing has been pending for 5 s. */
    static ScheduledExecutorService scheduler() {
        return SharedScheduler.INSTANCE;
    }

    /**
     * The default client, whose dispatcher threads are daemons (they end after a minute idle) and whose limits —
     * {@value #MAX_REQUESTS} requests, as many per host, and {@value #MAX_IDLE_CONNECTIONS} idle connections — let thousands of sources poll one host without OkHttp
     * queueing their calls (its default is 5 per host). A call that does not wait in OkHttp's ready queue also
     * spares the dispatcher its walk of that queue on every enqueue and completion.
     */
    static OkHttpClient client() {
        return SharedClient.INSTANCE;
    }

    /**
     * The most concurrent calls of the default client, in all and per host. The two are equal so that OkHttp's
     * promotion loop stops at the first queued call when the client is full, instead of walking past every call
     * of a saturated host (and, with one host, finding the host's call counter stops at the first call); 64 keeps
     * the dispatcher's threads bounded, whatever the number of sources, while thousands of sources poll.
     */
    static final int MAX_REQUESTS = 64;

    /** Idle connections kept by the default client: enough for the concurrency of many sources on one host. */
    static final int MAX_IDLE_CONNECTIONS = 64;

    /**
     * {@code base} with these timeouts: {@code base} itself when they are already its own (so that thousands of
     * sources with the same settings share one client object), else a derived client sharing its pool and
     * dispatcher.
     */
    static OkHttpClient withTimeouts(OkHttpClient base, Duration connectTimeout, Duration readTimeout,
            Duration callTimeout) {
        Duration connect = Durations.forOkHttp(connectTimeout);
        Duration read = Durations.forOkHttp(readTimeout);
        Duration call = Durations.forOkHttp(callTimeout);
        if (base.connectTimeoutMillis() == connect.toMillis() && base.readTimeoutMillis() == read.toMillis()
                && base.callTimeoutMillis() == call.toMillis()) {
            return base;
        }
        if (base == SharedClient.INSTANCE) {
            return SharedClient.DERIVED.computeIfAbsent(List.of(connect, read, call), k -> base.newBuilder()
                    .connectTimeout(connect).readTimeout(read).callTimeout(call).build());
        }
        return base.newBuilder().connectTimeout(connect).readTimeout(read).callTimeout(call).build();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger ids = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-" + ids.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static final class SharedScheduler {
        static final ScheduledExecutorService INSTANCE = create();

        private static ScheduledExecutorService create() {
            ScheduledThreadPoolExecutor executor =
                    new ScheduledThreadPoolExecutor(1, daemonThreads("pipeline-rest-scheduler"));
            executor.setKeepAliveTime(5, TimeUnit.SECONDS);
            executor.allowCoreThreadTimeOut(true);
            executor.setRemoveOnCancelPolicy(true);
            return executor;
        }
    }

    private static final class SharedClient {
        static final OkHttpClient INSTANCE = create();
        /** Clients derived from the shared one, by timeouts: few distinct settings exist in one JVM. */
        static final Map<List<Duration>, OkHttpClient> DERIVED = new ConcurrentHashMap<>();

        private static OkHttpClient create() {
            Dispatcher dispatcher = new Dispatcher(new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), daemonThreads("pipeline-rest-okhttp")));
            dispatcher.setMaxRequests(MAX_REQUESTS);
            dispatcher.setMaxRequestsPerHost(MAX_REQUESTS);
            return new OkHttpClient.Builder().dispatcher(dispatcher)
                    .connectionPool(new ConnectionPool(MAX_IDLE_CONNECTIONS, 5, TimeUnit.MINUTES)).build();
        }
    }
}
