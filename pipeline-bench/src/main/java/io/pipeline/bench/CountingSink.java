package io.pipeline.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Sums prices into a field and lets the publishing thread wait until a given number of records arrived.
 * {@link #accept} runs on one consumer thread; {@link #expect}/{@link #await} on the publishing thread, which
 * calls {@code expect} before publishing (the hand-over through the contender's queue publishes the target).
 */
final class CountingSink implements Terminal {
    double sum;
    private long count;
    private long target = Long.MAX_VALUE;
    private volatile boolean reached;
    private volatile Thread waiter;

    @Override
    public void accept(Priced priced) {
        sum += priced.price();
        if (++count == target) {
            reached = true;
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** Called by the publisher before it publishes {@code n} more records. */
    void expect(long n) {
        reached = false;
        waiter = Thread.currentThread();
        target = count + n;
    }

    /** Waits (spin, then park) until the records announced by {@link #expect} have all arrived. */
    void await() {
        int spins = 0;
        while (!reached) {
            if (spins++ < 2_000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 100_000);
            }
        }
    }
}
