package io.pipeline.core;

import java.util.Objects;

/**
 * The handler's counts, part of {@link FlowMetrics}. For a {@link SyncDispatcher} every queue figure is 0: it has
 * no queue. Instances are immutable and safe for concurrent use.
 *
 * @param type          {@code "SyncDispatcher"} or {@code "AsyncDispatcher"}
 * @param queueDepth    messages waiting in the queue now
 * @param capacity      the queue's capacity (0 without a queue)
 * @param highWaterMark the deepest the queue has been, in messages: the most the loop found waiting at once
 *                      (looked at once per step of up to 256 messages), or the capacity once a producer found the
 *                      queue full
 * @param dropped       messages discarded by a {@code DROP_*} {@link Overflow} policy
 * @param blockedNanos  total time producers spent waiting for room under {@link Overflow#BLOCK}, in nanoseconds
 * @param blockedEmits  emits that had to wait for room
 * @param deadEvents    emits nobody listened to, over all processors ({@link MessageHandler#deadEvents()})
 */
public record DispatcherMetrics(String type, int queueDepth, int capacity, long highWaterMark, long dropped,
                                long blockedNanos, long blockedEmits, long deadEvents) {
    /** Validates the components. */
    public DispatcherMetrics {
        Objects.requireNonNull(type, "type");
    }
}
