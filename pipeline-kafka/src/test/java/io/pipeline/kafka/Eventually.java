package io.pipeline.kafka;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits, bounded, for state held outside this JVM's control (a broker's committed offsets, a group's members)
 * that no latch can signal: checks every 20 ms until the condition holds or the time is up.
 */
final class Eventually {
    private Eventually() {}

    interface Check {
        boolean holds() throws Exception;
    }

    static void await(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    static BooleanSupplier unchecked(Check check) {
        return () -> {
            try {
                return check.holds();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
    }
}
