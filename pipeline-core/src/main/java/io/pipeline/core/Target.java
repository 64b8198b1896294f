package io.pipeline.core;

/**
 * Where a queued message goes: a {@link Topic} (a plain emit, which is its own target and needs no allocation) or
 * a {@link Tracked} delivery of {@link Processor#emitAsync}, whose completion must be signalled.
 */
sealed interface Target permits Topic, Target.Tracked {
    Topic topic();

    /** The completion to signal, or {@code null} for a plain emit. */
    Completion completion();

    /** An {@code emitAsync} message: the topic plus the completion to signal. */
    record Tracked(Topic topic, Completion completion) implements Target {}

    static Target of(Topic topic, Completion completion) {
        return completion == null ? topic : new Tracked(topic, completion);
    }
}
