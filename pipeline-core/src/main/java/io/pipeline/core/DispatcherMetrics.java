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
 * @param rejected      emits refused for lack of room: thrown back to the emitter as a
 *                      {@link java.util.concurrent.RejectedExecutionException} under {@link Overflow#FAIL}, or under
 *                      {@link Overflow#BLOCK} when the emitter was interrupted while it waited. A refused emit is still
 *                      counted in its event's {@code emitted} (an emit was made) and in no {@code delivered}.
 */
public record DispatcherMetrics(String type, int queueDepth, int capacity, long highWaterMark, long dropped,
                                long blockedNanos, long blockedEmits, long deadEvents, long rejected) {
    /** Validates the components. */
    public DispatcherMetrics {
        Objects.requireNonNull(type, "type");
    }

    /** Counts without {@code rejected} (0). */
    public DispatcherMetrics(String type, int queueDepth, int capacity, long highWaterMark, long dropped,
                             long blockedNanos, long blockedEmits, long deadEvents) {
        this(type, queueDepth, capacity, highWaterMark, dropped, blockedNanos, blockedEmits, deadEvents, 0);
    }
}
