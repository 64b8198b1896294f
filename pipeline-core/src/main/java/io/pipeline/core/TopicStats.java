package io.pipeline.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one {@link Topic}: what {@link FlowMetrics} reports per event. Kept cheap enough for the emit
 * path (docs/BENCHMARKS.md, "Metrics overhead").
 *
 * <h2>Direct calls</h2>
 * The direct rung of {@link InlineDelivery} (an open {@link SyncDispatcher}, one plain listener) is the hot path
 * the overhead bound is about: a {@code SyncDispatcher} chain must stay within 0.75× a chain of direct method calls,
 * which leaves about one instruction per emit. So a direct call is counted by a plain increment of
 * {@link Topic#directCalls} and nothing else — no owner check, no fence — and counts both the emit and the
 * delivery. That is exact while one thread at a time emits to the topic (the usual case: a source's own thread);
 * two threads emitting to the same topic of a {@code SyncDispatcher} at the same instant can lose increments of
 * each other, so {@code emitted} and {@code delivered} may then undercount (never overcount). Every other path is
 * exact.
 *
 * <h2>Single-writer counters</h2>
 * Elsewhere almost every topic is emitted by one thread (a source's thread) and delivered by one thread (the loop
 * thread under an {@link AsyncDispatcher}). So each of the other two hot counters — other emits, other deliveries —
 * is owned by the first thread that counts it: the owner adds to a plain field (a plain store: no lock prefix, no
 * fence); any other thread adds to a {@link LongAdder}. A reader sums both, reading the plain fields with opaque
 * loads: it sees the owner's count as of a moment ago (a {@code long} field is written atomically on the 64-bit
 * JVMs this library supports), never a torn or invented one. Ownership is claimed once and never moves: a topic
 * whose first emitting thread ends (a restarted time source's thread) counts on the adder afterwards, which is
 * slower, never wrong.
 *
 * <p>An {@link AsyncDispatcher}'s loop thread is the one thread that delivers its messages, so what it delivers,
 * and what its listeners emit and it delivers inline, is counted in two fields of its own with no owner check at all
 * ({@link #loopDelivering()}, {@link #loopEmitted()}).
 *
 * <h2>Sampled listener time</h2>
 * Reading {@link System#nanoTime()} twice costs more than a whole delivery on the direct path, so one delivery in
 * {@value #SAMPLE_EVERY} per topic is timed: the first delivery of a topic (never a direct call) and every {@value
 * #SAMPLE_EVERY}th delivery after it, counted on the owning thread by the owner's and the loop's delivery counts
 * together (on other threads a random one in {@value #SAMPLE_EVERY}). On an {@link AsyncDispatcher}'s loop the timed
 * delivery runs in a method of its own that the JIT leaves out of line, so that the untimed path carries no clock read;
 * a {@code SyncDispatcher} keeps the reads around its one call site instead, because handing the payload to an
 * out-of-line call makes it escape (a two-listener chain measured 64 instead of 32 B/event). Direct calls are timed
 * only when the topic was created with {@link Topic#timesDirectCalls} ({@code Flow.Builder.timeDirectCalls}): any clock
 * read on the direct rung makes the JIT keep a whole inlined chain's values in memory, which costs a chain of trivial
 * listeners about a third of its speed. {@link ListenerTime} reports the sample count, their total and their maximum;
 * the mean of the samples estimates the mean listener time. The three are plain fields written by the thread that timed
 * the delivery: samples taken by two threads of one topic at the same instant may lose one of them (a statistic of
 * samples, not a count of messages).
 *
 * <h2>Two sides, apart</h2>
 * Under an {@link AsyncDispatcher} the emit counters are written by the producer's thread and the delivery counters
 * by the loop thread, once per message each. They live on different cache lines ({@link TopicStatsPadding}) so
 * that the two threads do not pass one line back and forth on every message.
 *
 * <p>Thread-safe as described above.
 */
final class TopicStats extends TopicStatsPadding.Back {
    /** One delivery in this many is timed. A power of two. */
    static final int SAMPLE_EVERY = 1024;
    static final long SAMPLE_MASK = SAMPLE_EVERY - 1;

    private static final VarHandle EMITTED;
    private static final VarHandle DELIVERED;
    private static final VarHandle EMIT_OWNER;
    private static final VarHandle DELIVER_OWNER;
    private static final VarHandle LOOP_DELIVERED;
    private static final VarHandle LOOP_EMITTED;
    private static final VarHandle TIMED;
    private static final VarHandle TIMED_NANOS;
    private static final VarHandle MAX_NANOS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            EMITTED = lookup.findVarHandle(TopicStatsPadding.EmitSide.class, "emitted", long.class);
            DELIVERED = lookup.findVarHandle(TopicStatsPadding.DeliverySide.class, "delivered", long.class);
            EMIT_OWNER = lookup.findVarHandle(TopicStatsPadding.EmitSide.class, "emitOwner", Thread.class);
            DELIVER_OWNER = lookup.findVarHandle(TopicStatsPadding.DeliverySide.class, "deliverOwner", Thread.class);
            LOOP_DELIVERED = lookup.findVarHandle(TopicStatsPadding.DeliverySide.class, "loopDelivered", long.class);
            LOOP_EMITTED = lookup.findVarHandle(TopicStatsPadding.DeliverySide.class, "loopEmitted", long.class);
            TIMED = lookup.findVarHandle(TopicStatsPadding.DeliverySide.class, "timed", long.class);
            TIMED_NANOS = lookup.findVarHandle(TopicStatsPadding.DeliverySide.class, "timedNanos", long.class);
            MAX_NANOS = lookup.findVarHandle(TopicStatsPadding.DeliverySide.class, "maxNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LongAdder sharedEmitted = new LongAdder();
    private final LongAdder sharedDelivered = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder dead = new LongAdder();
    private final Topic topic;

    TopicStats(Topic topic) {
        this.topic = topic;
    }

    // ---- counting ---------------------------------------------------------------------------------------------

    /** An emit on any other rung. */
    void emitted() {
        if (Thread.currentThread() == emitOwner) {
            emitted++;
        } else {
            sharedOrClaim(EMIT_OWNER, EMITTED, sharedEmitted, 0);
        }
    }

    /** A delivery to one listener, not on the direct rung; true when it is to be timed. */
    boolean delivering() {
        if (Thread.currentThread() == deliverOwner) {
            long next = delivered + 1;
            delivered = next;
            return ((next + loopDelivered) & SAMPLE_MASK) == 1; // one sequence with the loop's count
        }
        return sharedOrClaim(DELIVER_OWNER, DELIVERED, sharedDelivered, (long) LOOP_DELIVERED.getOpaque(this));
    }

    /**
     * A delivery by an {@link AsyncDispatcher}'s loop thread, the only thread that delivers that dispatcher's
     * messages: a plain increment of a field no other thread writes, without the owner check; true when it is to be
     * timed.
     */
    boolean loopDelivering() {
        long next = loopDelivered + 1;
        loopDelivered = next;
        // Sampled on the sum with the owner's count, which under an AsyncDispatcher is the loop's too (its deliveries
        // to async listeners): one sequence, so the first delivery is timed once, whichever path it took.
        return ((next + delivered) & SAMPLE_MASK) == 1;
    }

    /**
     * Whether the direct call that brought {@link Topic#directCalls} to {@code calls} is to be timed (only when the
     * topic {@link Topic#timesDirectCalls times direct calls}): direct calls and the other deliveries make one
     * sequence, so that the first delivery and every {@value #SAMPLE_EVERY}th after it are timed however they were
     * made — also when a processor went off the direct rung and back (it emitted another event), or the event's
     * first delivery was a direct call.
     */
    boolean directCallTimed(long calls) {
        return ((calls + (long) DELIVERED.getOpaque(this) + (long) LOOP_DELIVERED.getOpaque(this)) & SAMPLE_MASK) == 1;
    }

    /** An emit the loop thread delivers inline (see {@link #loopDelivering()}). */
    void loopEmitted() {
        loopEmitted++;
    }

    /**
     * Not the owner: claim ownership if nobody owns the counter yet, else count on the adder. True when this one is
     * to be timed: as the owner, when the count plus {@code alongside} (the loop's count of the same thing) is 1
     * modulo {@value #SAMPLE_EVERY}.
     */
    private boolean sharedOrClaim(VarHandle owner, VarHandle counter, LongAdder shared, long alongside) {
        Thread me = Thread.currentThread();
        if (owner.getAcquire(this) == null && owner.compareAndSet(this, (Thread) null, me)) {
            long next = (long) counter.getOpaque(this) + 1;
            counter.setOpaque(this, next);
            return ((next + alongside) & SAMPLE_MASK) == 1;
        }
        shared.increment();
        return ThreadLocalRandom.current().nextInt(SAMPLE_EVERY) == 0;
    }

    void failed() {
        failures.increment();
    }

    void dead() {
        dead.increment();
    }

    /**
     * Records one timed delivery. Plain stores and no call, so that this stays a few instructions where the JIT
     * inlines it into the emit path: 1 in 1024 deliveries is still too often for the JIT to treat it as cold.
     */
    void timed(long nanos) {
        long value = nanos < 0 ? 0 : nanos;
        timed++;
        timedNanos += value;
        if (value > maxNanos) {
            maxNanos = value;
        }
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    long directCalls() {
        return topic.directCalls();
    }

    long emits() {
        return directCalls() + (long) EMITTED.getOpaque(this) + (long) LOOP_EMITTED.getOpaque(this)
                + sharedEmitted.sum();
    }

    long deliveries() {
        return directCalls() + (long) DELIVERED.getOpaque(this) + (long) LOOP_DELIVERED.getOpaque(this)
                + sharedDelivered.sum();
    }

    long failures() {
        return failures.sum();
    }

    long deadEvents() {
        return dead.sum();
    }

    ListenerTime listenerTime() {
        return new ListenerTime((long) TIMED.getOpaque(this), (long) TIMED_NANOS.getOpaque(this),
                (long) MAX_NANOS.getOpaque(this));
    }
}
