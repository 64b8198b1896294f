package io.pipeline.sources.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs writes from several threads at once, to make torn or interleaved lines visible. */
final class ConcurrentWriters {
    /** One write; ids are unique across all threads. */
    interface Write {
        void write(int id) throws Exception;
    }

    private ConcurrentWriters() {}

    /**
     * Starts {@code threads} threads together, each making {@code perThread} writes with ids
     * {@code thread * perThread + i}; returns when all are done, rethrowing the first failure, with no thread left.
     */
    static void run(int threads, int perThread, Write write) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        write.write(thread * perThread + i);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }
}
