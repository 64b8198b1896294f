package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Threads that tests start and then wait for until they park: an emitter blocked on a full queue, a waiter. */
public final class Waiting {
    private Waiting() {}

    /**
     * Starts a thread named {@code name} that runs {@code work} and completes {@code outcome} with what it threw, or
     * with {@code null} when it returned; returns once the thread waits (parked, e.g. for room in a queue).
     */
    public static Thread start(String name, Runnable work, CompletableFuture<Throwable> outcome) {
        Thread thread = new Thread(() -> {
            try {
                work.run();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        }, name);
        thread.start();
        awaitWaiting(thread);
        return thread;
    }

    /** Returns once {@code thread} waits, with or without a timeout; fails after 10 s. */
    public static void awaitWaiting(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime()).as("%s waits within 10 s", thread).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
