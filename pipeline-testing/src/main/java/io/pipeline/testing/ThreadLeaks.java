package io.pipeline.testing;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Checks that no thread outlives what a test closed: after {@code flow.close()} or an output's {@code close()},
 * the threads they named (an {@code AsyncDispatcher}'s loop, a writer, a server) must end.
 *
 * <pre>{@code
 * flow.close();
 * ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-"), Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>A thread whose executor has terminated may take a moment more to die, so the check waits, in wall time and at
 * most {@code timeout} in all, for each matching thread to end, and fails with an {@link AssertionError} naming
 * those still alive and what they are doing. It looks at the threads alive when it is called; one started later
 * is not waited for.
 *
 * <p>This class is stateless and safe for concurrent use; the predicate runs on the calling thread.
 */
public final class ThreadLeaks {
    private static final int FRAMES_SHOWN = 5;

    private ThreadLeaks() {
    }

    /**
     * Waits up to {@code timeout} for every live thread whose name {@code name} accepts to end.
     *
     * @throws AssertionError naming the threads still alive after {@code timeout}
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public static void assertNoneAlive(Predicate<? super String> name, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout is negative: " + timeout);
        }
        List<Thread> matching = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread != Thread.currentThread() && name.test(thread.getName()))
                .toList();
        long deadline = System.nanoTime() + saturatedNanos(timeout);
        for (Thread thread : matching) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            }
        }
        List<Thread> alive = matching.stream().filter(Thread::isAlive).toList();
        if (!alive.isEmpty()) {
            throw new AssertionError(alive.size() + " thread(s) still alive after " + timeout + ":"
                    + alive.stream().map(ThreadLeaks::describe).collect(Collectors.joining()));
        }
    }

    private static String describe(Thread thread) {
        StringBuilder text = new StringBuilder("\n  '").append(thread.getName()).append("' ")
                .append(thread.getState());
        StackTraceElement[] frames = thread.getStackTrace();
        for (int i = 0; i < Math.min(FRAMES_SHOWN, frames.length); i++) {
            text.append("\n      at ").append(frames[i]);
        }
        return text.toString();
    }

    private static long saturatedNanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException huge) {
            return Long.MAX_VALUE / 2; // ~146 years: as good as forever, and deadline arithmetic cannot overflow
        }
    }
}
