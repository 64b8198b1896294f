package io.pipeline.examples.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Predicate;

/** Leak checks: threads whose executor has terminated may take a moment more to die. */
final class Threads {
    private Threads() {}

    /** Waits up to 5 s for every thread whose name {@code name} accepts to end, then asserts none is alive. */
    static void assertNoneAlive(Predicate<String> name) throws InterruptedException {
        List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> name.test(thread.getName()))
                .toList();
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (Thread thread : threads) {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        assertThat(threads).as("threads still alive").noneMatch(Thread::isAlive);
    }
}
