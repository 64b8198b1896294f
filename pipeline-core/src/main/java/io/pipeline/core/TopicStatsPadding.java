package io.pipeline.core;

/**
 * The field layout of {@link TopicStats}: the emitting thread's counters, then 128 bytes of padding, then the
 * delivering thread's counters, so that a producer and an {@link AsyncDispatcher}'s loop thread, each writing its own
 * side once per message, do not write the same cache line (128 bytes, two lines: adjacent-line prefetch pairs
 * them). Superclass fields come first in an object's layout, which is what orders the groups; the padding fields
 * are never read. No padding before or after: the neighbours (the topic, the counters' adders) are written rarely,
 * and a topic's counters should stay small when a flow holds thousands of sources.
 */
final class TopicStatsPadding {
    private TopicStatsPadding() {}

    /** Written by the thread that owns the emit count (see {@link TopicStats}, "single-writer counters"). */
    abstract static class EmitSide {
        Thread emitOwner;
        long emitted;
    }

    /** Padding between the two sides. */
    abstract static class Middle extends EmitSide {
        long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
    }

    /**
     * Written by the thread that owns the delivery count, and by the thread that timed a delivery: the delivery
     * count and the sampled listener time.
     */
    abstract static class DeliverySide extends Middle {
        Thread deliverOwner;
        long delivered;
        long timed;
        long timedNanos;
        long maxNanos;
    }
}
