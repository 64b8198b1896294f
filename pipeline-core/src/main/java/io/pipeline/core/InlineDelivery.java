package io.pipeline.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The emit path: decides, for one emit, whether its listeners run right here on the emitting thread, and runs
 * them. Every emit goes through {@link #emit}; every inline delivery — from {@link Processor#emit}, from a
 * dispatcher's general path, from the {@link AsyncDispatcher}'s loop — goes through {@link #deliver} or, when
 * nesting is counted, {@link #nested}. This is the one place where the emit path's decisions are made.
 *
 * <h2>The ladder</h2>
 * An emit tries, in order:
 * <ol>
 *   <li><b>direct</b> — the topic emitted last, a payload of exactly the event's type or of the class already
 *       checked, and a {@link Topic#direct direct listener} (an open {@link SyncDispatcher}, a non-error topic with
 *       one plain listener): call it. No dispatcher test, no nesting counter, no subtype test;</li>
 *   <li><b>inline</b> — topic and payload checked, and {@link Dispatcher#inlineHere()} (an open {@code
 *       SyncDispatcher}; the async loop thread below the nesting bound with nothing waiting on its lane): run the
 *       sole listener, or the plain listeners in order, here, before {@code emit} returns;</li>
 *   <li><b>queued</b> — everything else ({@link Dispatcher#emit}): the full payload check, dead events, error
 *       events, {@code once} and async listeners, a closed or dead dispatcher, another thread's emit to an
 *       {@code AsyncDispatcher}.</li>
 * </ol>
 * The first two are small methods with the rest out of line, so that the JIT inlines a whole chain of processors
 * into the emitter and scalar-replaces the payloads that do not outlive it. The direct rung is written for the
 * instructions it compiles to: in {@code pipeline-bench}'s {@code SyncThroughput} a {@code SyncDispatcher} chain runs
 * at 0.77–0.79× the hand-wired chain of direct calls with 0 bytes per event, metrics on or off (docs/BENCHMARKS.md,
 * "The direct rung reworked", "One load nearer the emitter" and "The listener copy kept current by its topic"): the
 * payload type check folds away for an exact type
 * ({@link Event} is a record, so the JIT trusts {@code event.type()} as a constant), the listener is called through
 * the processor's own copy of the topic's direct listener (one dependent load, not two), the count is a plain
 * increment, and no clock is read unless {@code Flow.Builder.timeDirectCalls} asks for it (a clock read anywhere on
 * the rung made it 0.47×). That is also why {@link #emit} is static and reads the processor's own
 * {@link Processor#recent}: an instance method reached through a field would add a dependent load to every emit.
 *
 * <h2>The processor's copy of the direct listener</h2>
 * The first topic a processor emits to <em>adopts</em> it ({@link Topic#adopt}): from then on that topic writes its
 * direct listener into the processor's {@link Processor#recentDirect} whenever it publishes a new one (under its
 * lock: listeners added or removed, the dispatcher closed or dead), so the copy is as current as {@link Topic#direct}
 * and the emit does not compare the two. A processor that emits another event gives the copy up for good ({@link
 * Topic#disown}: the copy is cleared, under the adopted topic's lock, before {@link Processor#recent} names another
 * topic — and before {@link Processor#severalEvents} says so, since an emitter that reads that flag goes on to name
 * another topic without the lock) and reads {@link Topic#direct} of the topic it emits to instead, one load further.
 * So an emit that reads a topic from {@code recent} and then a non-null copy has the direct listener of that very
 * topic: the copy is non-null only while {@code recent} can name the adopted topic alone. A topic holds the
 * processors that adopted it weakly, so that it does not keep a restarted manager's processors alive.
 *
 * <h2>Nesting</h2>
 * Only the {@link AsyncDispatcher}'s loop thread counts nesting ({@code counted}): one listener that emits to a
 * listener that emits … is delivered depth first up to {@link AsyncDispatcher#MAX_INLINE_DEPTH}, then on the loop's
 * lane, so that a cycle of processors cannot overflow the loop's stack. The count is incremented and decremented
 * in one place, {@link #nested}, in one try/finally. While anything waits on the lane, emits on the loop thread go
 * to the lane too ({@link Dispatcher#inlineHere()} is false), so that a message emitted at depth 1 never overtakes
 * one emitted earlier at the bound: order per processor and per listener holds at any depth. A
 * {@code SyncDispatcher} is called from any number of threads and counts nothing (a shared counter would be
 * contended); its recursion is the emitters' own, and a {@link StackOverflowError} it ends in becomes an error
 * event once the stack has unwound ({@link Dispatcher#listenerFailed}).
 *
 * <h2>Benign races</h2>
 * <ul>
 *   <li>{@link Processor#recent}, the topic a processor emitted last, is read with one volatile load and written
 *       with a release store (after {@link Topic#disown}, which it must not be seen before); a stale value only costs
 *       a lookup, and topics are never replaced.</li>
 *   <li>A {@link Route} is immutable and published through one volatile field; an emit reads it once, so it sees
 *       one consistent set of listeners. A listener added or cancelled while an emit runs may or may not hear
 *       that emit — exactly the guarantee of a copy-on-write list — and hears every emit that starts after
 *       {@code on} returns.</li>
 *   <li>{@link Route#accepted()} is set by compare-and-set; losing the race to registration or another emitter
 *       only costs a later emit the full type check.</li>
 *   <li>{@link Topic#direct} is published beside the route, under the topic's lock, whenever the route changes and
 *       when the dispatcher closes or dies; one volatile load gives an emit one listener, never a mix. An emit that
 *       read it just before a change may still call the old listener, as an emit that started before {@code
 *       close()} or {@code cancel()} may.</li>
 *   <li>The nesting depth is a plain field read and written only by the thread that may inline with counting (the
 *       async loop thread), padded apart from what emitters read ({@link Nesting}).</li>
 * </ul>
 *
 * <p>Not thread-safe in the counted mode (one per {@link AsyncDispatcher}, used by its loop thread only);
 * otherwise stateless and safe for concurrent use.
 */
final class InlineDelivery {
    private static final VarHandle RECENT;
    private static final VarHandle ADOPTED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RECENT = lookup.findVarHandle(Processor.class, "recent", Topic.class);
            ADOPTED = lookup.findVarHandle(Processor.class, "adopted", Topic.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Dispatcher dispatcher;
    /** Whether nesting is counted: the async loop thread. */
    private final boolean counted;
    /**
     * Nesting of counted inline deliveries, in an object of its own: the loop thread writes it twice per message,
     * and emitters on other threads read this object's other fields on every emit — on one cache line, every message
     * would pull that line from one core to the other and back.
     */
    private final Nesting nesting = new Nesting();

    InlineDelivery(Dispatcher dispatcher, boolean counted) {
        this.dispatcher = dispatcher;
        this.counted = counted;
    }

    int depth() {
        return nesting.depth;
    }

    /**
     * {@link Processor#emit}: the ladder above. Static, and reading the processor's own fields, so that the direct
     * rung costs no more loads than the checks themselves.
     */
    static boolean emit(Processor processor, Event<?> event, Object payload) {
        Topic topic = processor.recent;
        if (topic != null && topic.event == event && payload != null) {
            Class<?> payloadClass = payload.getClass();
            // The first test is a constant when the JIT knows both the event (a static final record) and the
            // payload's class (allocated in the emitter's inlined chain): the type check then costs nothing.
            if (payloadClass == event.type() || payloadClass == topic.route().accepted()) {
                // The listener is called through the processor's own copy, which the topic keeps current (the
                // design note above): the call then depends on one load from the processor instead of two
                // (processor → topic → listener), and a chain of processors on the loads of its listeners alone
                // (docs/BENCHMARKS.md, "One load nearer the emitter"). No copy: a processor of several events.
                Listener<Object> direct = processor.recentDirect;
                if (direct == null) {
                    direct = topic.direct;
                }
                if (direct != null) {
                    // Counted with one plain increment (TopicStats, "direct calls"), with or without metrics: the
                    // counter is this topic's own field, and testing for metrics first would cost as much as
                    // counting. Nothing else: no clock, no test of whether to read one (a clock read anywhere in
                    // the chain costs the whole inlined chain registers; docs/BENCHMARKS.md).
                    topic.directCalls++;
                    try {
                        direct.handle(payload);
                    } catch (Throwable failure) {
                        processor.delivery.dispatcher.listenerFailed(topic, failure);
                    }
                    return true;
                }
                Listener<Object> timedDirect = topic.timedDirect;
                if (timedDirect != null) {
                    // The same rung when Flow.Builder.timeDirectCalls asked for listener time: one delivery in
                    // TopicStats.SAMPLE_MASK + 1 is timed, counted with the topic's other deliveries. A separate
                    // field, so that the untimed rung above tests nothing for it.
                    long calls = topic.directCalls + 1;
                    topic.directCalls = calls;
                    boolean timed = topic.stats.directCallTimed(calls);
                    long start = timed ? System.nanoTime() : 0;
                    try {
                        timedDirect.handle(payload);
                    } catch (Throwable failure) {
                        processor.delivery.dispatcher.listenerFailed(topic, failure);
                    }
                    if (timed) {
                        topic.stats.timed(System.nanoTime() - start);
                    }
                    return true;
                }
                return processor.delivery.emitChecked(topic, topic.route(), event, payload);
            }
        }
        return processor.delivery.emitSlow(processor, event, payload);
    }

    /** Topic and payload checked: inline if the plain listeners may run here, else the general path. */
    private boolean emitChecked(Topic topic, Route route, Event<?> event, Object payload) {
        TopicStats stats = topic.stats;
        Listener<Object>[] plain = route.plain();
        if (plain != null && plain.length != 0 && dispatcher.inlineHere()) {
            if (counted) {
                // On the loop thread (inlineHere): its own counter, no owner check.
                if (stats != null) {
                    stats.loopEmitted();
                }
                nested(topic, payload, null);
            } else {
                if (stats != null) {
                    stats.emitted();
                }
                callAll(topic, route, payload);
            }
            return true;
        }
        if (stats != null) {
            stats.emitted();
        }
        return dispatcher.emit(topic.owner, topic, event, payload);
    }

    /** The topic is not the one remembered, or the payload's class is new: look up, check, remember. */
    private boolean emitSlow(Processor processor, Event<?> event, Object payload) {
        Processor.checkPayload(event, payload);
        Topic topic = processor.topics.find(event);
        if (topic == null) {
            topic = processor.topics.topic(event); // a dead event: its topic counts it from now on
        }
        Route route = topic.route();
        if (!route.isEmpty()) {
            // A topic nobody listens to is not remembered: the first emit that is heard comes this way too, so that
            // an event's first delivery is on the inline rung and timed (ListenerTime), never a direct call.
            remember(processor, topic);
        }
        topic.accepted(route, payload.getClass());
        return emitChecked(topic, route, event, payload);
    }

    /**
     * Makes {@code topic} the processor's remembered one. The first topic a processor emits to adopts it
     * ({@link Topic#adopt}) and keeps the processor's copy of its direct listener current; a processor that emits
     * another event gives the copy up for good ({@link Topic#disown}) before it remembers the other topic, so that
     * an emit that reads a topic from {@link Processor#recent} and then a copy finds either that topic's listener
     * or none.
     */
    private static void remember(Processor processor, Topic topic) {
        Topic adopted = processor.adopted;
        if (adopted == null) {
            if (ADOPTED.compareAndSet(processor, null, topic)) {
                topic.adopt(processor);
                RECENT.setRelease(processor, topic);
                return;
            }
            adopted = processor.adopted;
        }
        if (adopted != topic && !processor.severalEvents) {
            adopted.disown(processor);
        }
        // A release store: an emit that reads this topic also reads the copy as disown left it. Not a volatile
        // store, whose fence a processor alternating between two events would pay on every switch.
        RECENT.setRelease(processor, topic);
    }

    /** Delivers one message inline, one level deeper: the only place where nesting is counted. */
    void nested(Topic topic, Object payload, Completion completion) {
        Nesting nesting = this.nesting;
        nesting.depth++;
        try {
            deliver(topic, payload, completion);
        } finally {
            nesting.depth--;
        }
    }

    /** Runs every listener of {@code topic} on this thread; each failure is routed, never thrown. */
    void deliver(Topic topic, Object payload, Completion completion) {
        Route route = topic.route();
        if (route.isEmpty()) {
            // Accepted while it had listeners, and they are gone by now (cancelled, or removed with a failed
            // manager while the message waited in a queue): nobody hears it, so it is a dead event, not lost silently.
            dispatcher.deadOnDelivery(topic);
            if (completion != null) {
                completion.arrive();
            }
            return;
        }
        if (completion == null && route.plain() != null) {
            callAll(topic, route, payload);
            return;
        }
        for (Subscriber subscriber : route.subscribers()) {
            subscriber.deliver(payload, completion);
        }
        if (completion != null) {
            completion.arrive();
        }
    }

    private void callAll(Topic topic, Route route, Object payload) {
        Listener<Object> sole = route.sole();
        if (sole != null) {
            call(topic, sole, payload);
            return;
        }
        for (Listener<Object> listener : route.plain()) {
            call(topic, listener, payload);
        }
    }

    private void call(Topic topic, Listener<Object> listener, Object payload) {
        TopicStats stats = topic.stats;
        if (counted) {
            // The AsyncDispatcher loop's instance, and only its thread delivers: its own counter, and the sampled
            // delivery out of line. (The payload then escapes into the out-of-line call, which costs nothing here:
            // what the loop delivers came through the ring or is emitted by a listener the producer's code shares.)
            if (stats != null && stats.loopDelivering()) {
                timedCall(topic, stats, listener, payload);
                return;
            }
            invoke(topic, listener, payload);
            return;
        }
        // Any thread of a SyncDispatcher: the clock reads stay around the one call site, so that a payload allocated
        // by the emitter's inlined chain is still scalar-replaced (an out-of-line timed call would make it escape).
        boolean timed = stats != null && stats.delivering();
        long start = timed ? System.nanoTime() : 0;
        invoke(topic, listener, payload);
        if (timed) {
            stats.timed(System.nanoTime() - start);
        }
    }

    private void invoke(Topic topic, Listener<Object> listener, Object payload) {
        try {
            listener.handle(payload);
        } catch (Throwable failure) {
            dispatcher.listenerFailed(topic, failure);
        }
    }

    /**
     * {@link #call} on the loop thread for the one delivery in {@link TopicStats#SAMPLE_EVERY} that is timed. A method of
     * its own, called from a branch taken that rarely, so that the JIT leaves it out of line: the clock reads then cost
     * nothing on the untimed path, where a read inlined around the listener would keep the whole inlined chain's values
     * in memory.
     */
    private void timedCall(Topic topic, TopicStats stats, Listener<Object> listener, Object payload) {
        // The call written out rather than through invoke(): a method this size (over 35 bytes of bytecode) is not
        // inlined at a call site taken this rarely.
        long start = System.nanoTime();
        try {
            listener.handle(payload);
        } catch (Throwable failure) {
            dispatcher.listenerFailed(topic, failure);
        }
        stats.timed(System.nanoTime() - start);
    }

    /**
     * The nesting depth between 128 bytes of padding on either side (two cache lines: adjacent-line prefetch pairs
     * them), laid out as {@link TopicStatsPadding} is: superclass fields first. Loop thread only.
     */
    static final class Nesting extends NestingDepth {
        long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
    }

    abstract static class NestingDepth extends NestingFront {
        int depth;
    }

    abstract static class NestingFront {
        int gap; // fills the 4 bytes after a compressed header, so that no later field is laid out before the padding
        long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }
}
