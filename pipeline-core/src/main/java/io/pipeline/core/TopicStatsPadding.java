package io.pipeline.core;

/**
 * The field layout of {@link TopicStats}: 128 bytes of padding, the emitting thread's counters, 128 bytes, the
 * delivering thread's counters, 128 bytes — so that a producer and an {@link AsyncDispatcher}'s loop thread, each
 * writing its own side once per message, write neither the same cache line (128 bytes, two lines: adjacent-line
 * prefetch pairs them) nor a line of a neighbouring object the other thread reads on every message (the topic, which
 * is allocated just before its counters: without the outer padding the loop read, on every message, a line the
 * producer wrote on every message; docs/BENCHMARKS.md, "AsyncDispatcher against RxJava observeOn, after …").
 * Superclass fields come first in an object's layout, which is what orders the groups; the padding fields are never
 * read. The counters take about 470 bytes per topic (about 210 without the padding).
 */
final class TopicStatsPadding {
    private TopicStatsPadding() {}

    /**
     * Padding before the emit side: the object allocated just before a topic's counters is usually the topic itself,
     * whose fields the loop thread reads on every message while the producer writes the emit count.
     */
    abstract static class Front {
        int gap; // fills the 4 bytes after a compressed header, so that no later field is laid out before the padding
        long f00, f01, f02, f03, f04, f05, f06, f07, f08, f09, f10, f11, f12, f13, f14, f15;
    }

    /** Written by the thread that owns the emit count (see {@link TopicStats}, "single-writer counters"). */
    abstract static class EmitSide extends Front {
        Thread emitOwner;
        long emitted;
        /**
         * Fills the 4-byte hole after {@code emitOwner}: the layout puts a subclass's 4-byte field into a superclass's
         * hole, and {@code deliverOwner}, which the loop reads on every message, landed next to {@code emitted}.
         */
        int fill;
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
        /** Deliveries by an {@link AsyncDispatcher}'s loop thread, the one thread that writes it. */
        long loopDelivered;
        /** Emits delivered inline by an {@link AsyncDispatcher}'s loop thread, the one thread that writes it. */
        long loopEmitted;
        long timed;
        long timedNanos;
        long maxNanos;
    }

    /** Padding after the delivery side, for whatever is allocated (or copied by the collector) next to it. */
    abstract static class Back extends DeliverySide {
        long b00, b01, b02, b03, b04, b05, b06, b07, b08, b09, b10, b11, b12, b13, b14, b15;
    }
}
