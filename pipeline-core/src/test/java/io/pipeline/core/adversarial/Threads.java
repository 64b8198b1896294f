package io.pipeline.core.adversarial;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Thread checks for leak and blocking tests. */
final class Threads {
    private Threads() {}

    /** The live threads whose name starts with {@code prefix}. */
    static List<Thread> alive(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix)).toList();
    }

    /** Waits (bounded, 10 s) until {@code thread} waits, is blocked, or has ended. */
    static void awaitBlockedOrDone(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Thread.State state = thread.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || state == Thread.State.BLOCKED || state == Thread.State.TERMINATED) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError(thread + " neither blocked nor ended within 10 s");
    }

    /** Waits (bounded, 10 s) until {@code thread} has ended. */
    static void awaitEnd(Thread thread) throws InterruptedException {
        thread.join(10_000);
        if (thread.isAlive()) {
            throw new AssertionError(thread + " still alive after 10 s");
        }
    }
}
