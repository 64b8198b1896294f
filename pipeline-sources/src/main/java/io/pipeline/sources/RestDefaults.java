package io.pipeline.sources;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    /** The default client, whose dispatcher threads are daemons (they end after a minute idle). */
    static OkHttpClient client() {
        return SharedClient.INSTANCE;
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
        static final OkHttpClient INSTANCE = new OkHttpClient.Builder()
                .dispatcher(new Dispatcher(new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                        new SynchronousQueue<>(), daemonThreads("pipeline-rest-okhttp"))))
                .build();
    }
}
