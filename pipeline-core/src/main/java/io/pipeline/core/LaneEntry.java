package io.pipeline.core;

/**
 * One entry of an {@link AsyncDispatcher}'s lanes other than the ring: a message emitted on the loop thread past
 * the nesting bound, an error event handed over by another thread, an async listener's continuation, or a
 * delivery barrier asked for by another thread.
 */
sealed interface LaneEntry permits LaneEntry.Message, LaneEntry.Continuation, LaneEntry.Barrier {
    /** Runs this entry on the loop thread. */
    void run(InlineDelivery delivery);

    /** A message for {@code topic}'s listeners; {@code completion} is {@code null} for a plain emit. */
    record Message(Topic topic, Object payload, Completion completion) implements LaneEntry {
        @Override
        public void run(InlineDelivery delivery) {
            delivery.deliver(topic, payload, completion);
        }
    }

    /** An async listener's continuation (its stage completed). */
    record Continuation(Runnable task) implements LaneEntry {
        @Override
        public void run(InlineDelivery delivery) {
            task.run();
        }
    }

    /**
     * A delivery barrier ({@link Dispatcher#barrier}): the loop keeps it (it is not run) until the ring's consumer
     * position has reached {@code position} and no async listener of a matching processor has a stage in flight,
     * then completes {@code future}. Handed over through the urgent lane, so error events handed over before it
     * are delivered first.
     */
    record Barrier(long position, java.util.function.Predicate<String> processors,
                   java.util.concurrent.CompletableFuture<Void> future) implements LaneEntry {
        @Override
        public void run(InlineDelivery delivery) {
            throw new IllegalStateException("a barrier is kept by the loop, not run");
        }
    }
}
