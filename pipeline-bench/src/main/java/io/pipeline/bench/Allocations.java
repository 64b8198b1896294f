package io.pipeline.bench;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Bytes allocated by threads, from HotSpot's per-thread counters ({@code com.sun.management.ThreadMXBean}). A
 * snapshot of every live thread, and the difference to a later one: threads started in between count from zero;
 * a thread that ended in between is missed, so measure before closing what owns the threads.
 */
final class Allocations {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> byThread;

    private Allocations(Map<Long, Long> byThread) {
        this.byThread = byThread;
    }

    static Allocations snapshot() {
        long[] ids = THREADS.getAllThreadIds();
        long[] bytes = THREADS.getThreadAllocatedBytes(ids);
        Map<Long, Long> byThread = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                byThread.put(ids[i], bytes[i]);
            }
        }
        return new Allocations(byThread);
    }

    /** Bytes allocated by the current thread so far. */
    static long currentThread() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Bytes allocated since {@code earlier} by the threads alive now. */
    long since(Allocations earlier) {
        long total = 0;
        for (Map.Entry<Long, Long> e : byThread.entrySet()) {
            total += e.getValue() - earlier.byThread.getOrDefault(e.getKey(), 0L);
        }
        return total;
    }
}
