package io.pipeline.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The list every recorder keeps: values in arrival order, and bounded waits for more. Thread-safe; nothing of the
 * caller's runs under its monitor except the {@code describe} of a failed wait's message.
 */
final class Recording<T> {
    private final String what;
    private final List<T> values = new ArrayList<>(); // guarded by this

    Recording(String what) {
        this.what = what;
    }

    synchronized void add(T value) {
        values.add(value);
        notifyAll();
    }

    synchronized List<T> values() {
        return List.copyOf(values);
    }

    synchronized int size() {
        return values.size();
    }

    synchronized void clear() {
        values.clear();
    }

    /** Waits until {@code count} values are recorded; returns the first {@code count}. */
    List<T> await(int count, Duration timeout) throws InterruptedException {
        if (count < 0) {
            throw new IllegalArgumentException("count < 0: " + count);
        }
        List<T> all = awaitUntil(list -> list.size() >= count, timeout, "at least " + count);
        return all.subList(0, count);
    }

    /** Waits until a recorded value matches {@code condition}; returns it. */
    T awaitMatch(Predicate<? super T> condition, Duration timeout, String description) throws InterruptedException {
        Objects.requireNonNull(condition, "condition");
        List<T> all = awaitUntil(list -> list.stream().anyMatch(condition), timeout, "one " + description);
        return all.stream().filter(condition).findFirst().orElseThrow();
    }

    private List<T> awaitUntil(Predicate<List<T>> done, Duration timeout, String expected)
            throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout is negative: " + timeout);
        }
        long deadline = System.nanoTime() + saturatedNanos(timeout);
        synchronized (this) {
            while (!done.test(values)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + expected + " " + what + " within " + timeout + ", got "
                            + values.size() + ": " + values);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return List.copyOf(values);
        }
    }

    private static long saturatedNanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException huge) {
            return Long.MAX_VALUE / 2;
        }
    }

    @Override
    public synchronized String toString() {
        return values.toString();
    }
}
