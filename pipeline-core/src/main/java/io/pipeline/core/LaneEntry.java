package io.pipeline.core;

/**
 * One entry of an {@link AsyncDispatcher}'s lanes other than the ring: a message emitted on the loop thread past
 * the nesting bound, an error event handed over by another thread, or an async listener's continuation.
 */
sealed interface LaneEntry permits LaneEntry.Message, LaneEntry.Continuation {
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
}
