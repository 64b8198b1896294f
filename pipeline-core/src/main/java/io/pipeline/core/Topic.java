package io.pipeline.core;

import java.lang.invoke.MethodHandles;
import java.lang.ref.WeakReference;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The listeners of one event of one processor. Emits read one immutable {@link Route} snapshot from a volatile
 * field and never lock; registration copies the subscriber array and publishes a new route under this topic's
 * lock (listeners change rarely, messages often).
 */
final class Topic implements Target {
    private static final VarHandle ROUTE;
    private static final VarHandle DIRECT_CALLS;

    static {
        try {
            ROUTE = MethodHandles.lookup().findVarHandle(Topic.class, "route", Route.class);
            DIRECT_CALLS = MethodHandles.lookup().findVarHandle(Topic.class, "directCalls", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ProcessorTopics owner;
    final Event<?> event;
    final boolean isError;
    /** This topic's counters, or {@code null} when the dispatcher's metrics are off. */
    final TopicStats stats;
    /**
     * Whether the direct rung samples listener time ({@code Flow.Builder.timeDirectCalls}): only then is there a
     * clock read on that rung at all, which costs the JIT's code for a whole inlined chain more than the reads.
     */
    final boolean timesDirectCalls;
    /**
     * Emits delivered on the direct rung of {@link InlineDelivery}: a plain field, incremented by the emitting
     * thread with no other check (see {@link TopicStats}, "direct calls"); read through {@link #directCalls()}.
     */
    long directCalls;
    /** Written under this topic's lock, except {@link #accepted}'s compare-and-set. */
    private volatile Route route = Route.empty();
    /**
     * The listener emitters may call directly: the route's {@link Route#sole() sole} listener while the dispatcher
     * lets any emitting thread call it (an open {@link SyncDispatcher}) and this is not an error topic, else
     * {@code null}. Derived from the route and written with it, under this topic's lock; read by the direct rung
     * of {@link InlineDelivery} alone. A field of its own rather than a component of {@link Route}, so that the
     * direct rung costs one load instead of two (route, then its listener). Copied into the processors that adopted
     * this topic ({@link #adopt}) whenever it is written.
     */
    volatile Listener<Object> direct;
    /**
     * The same listener as {@link #direct} when the direct rung times listeners ({@link #timesDirectCalls}); then
     * {@link #direct} is {@code null}. Written and read like {@link #direct}.
     */
    volatile Listener<Object> timedDirect;
    /**
     * The processors whose copy of {@link #direct} this topic keeps current ({@link #adopt}), weakly held: a topic
     * outlives the processors of a restarted manager, which must not be kept alive by it. An array, replaced whole
     * under this topic's lock, so that {@link #publish(Route, boolean)} walks it without a call.
     */
    @SuppressWarnings("unchecked")
    private WeakReference<Processor>[] adopters = (WeakReference<Processor>[]) new WeakReference<?>[0];

    Topic(ProcessorTopics owner, Event<?> event) {
        this.owner = owner;
        this.event = event;
        this.isError = event.equals(Processor.ERROR);
        this.stats = owner.dispatcher.metricsEnabled() ? new TopicStats(this) : null;
        this.timesDirectCalls = stats != null && owner.dispatcher.timesDirectCalls();
    }

    /** {@link #directCalls}, from any thread: the emitters' count as of a moment ago. */
    long directCalls() {
        return (long) DIRECT_CALLS.getOpaque(this);
    }

    Route route() {
        return route;
    }

    @Override
    public Topic topic() {
        return this;
    }

    @Override
    public Completion completion() {
        return null;
    }

    Subscriber[] subscribers() {
        return route.subscribers();
    }

    /**
     * Remembers that {@code payloadClass} passed the type check of this topic's event, if no class is remembered
     * yet: the first class wins, so that a topic fed several classes never allocates on its emit path. A lost
     * race (with another emitter or with registration) only costs a later emit the full check.
     */
    void accepted(Route current, Class<?> payloadClass) {
        if (current.accepted() == null) {
            ROUTE.compareAndSet(this, current, current.accepting(payloadClass));
        }
    }

    boolean isEmpty() {
        return route.isEmpty();
    }

    String processorName() {
        return owner.name;
    }

    /** Recomputes whether emitters may call the sole listener directly; called when the dispatcher closes or dies. */
    synchronized void refreshDirectListener() {
        publish(route, false);
    }

    /**
     * Publishes {@code published} (when {@code newRoute}) and the direct listener derived from it, here and in the
     * processors that adopted this topic. Every method call comes before the first write, and after it there are
     * only field accesses and {@link WeakReference#get()}, an intrinsic: a {@link StackOverflowError} — a listener
     * deep in a {@link SyncDispatcher} recursion subscribes or cancels — then leaves the topic as it was, never half
     * published (a route without a listener beside a direct listener or a copy that still calls it: emitters, which
     * no longer compare the copy with anything, would call it until the next change).
     */
    private void publish(Route published, boolean newRoute) {
        Listener<Object> sole = directCallsAllowed() ? published.sole() : null;
        Listener<Object> untimed = timesDirectCalls ? null : sole;
        Listener<Object> timed = timesDirectCalls ? sole : null;
        WeakReference<Processor>[] copies = adopters;
        if (newRoute) {
            route = published;
        }
        direct = untimed;
        timedDirect = timed;
        for (WeakReference<Processor> adopter : copies) {
            Processor processor = adopter.get();
            if (processor != null && !processor.severalEvents) {
                processor.recentDirect = untimed;
            }
        }
    }

    /**
     * Keeps {@code processor}'s copy of {@link #direct} current from now on: the first topic a processor emits to
     * adopts it. Nothing if the processor has already emitted another event ({@link #disown}).
     */
    synchronized void adopt(Processor processor) {
        if (processor.severalEvents) {
            return;
        }
        WeakReference<Processor>[] next = without(null, 1);
        next[next.length - 1] = new WeakReference<>(processor);
        adopters = next;
        processor.recentDirect = direct;
    }

    /**
     * {@code processor}, which adopted this topic, emits another event too: its copy is cleared for good, so that an
     * emit never reads it beside another topic. The copy is cleared <em>before</em> {@link Processor#severalEvents} is
     * set: an emitter that reads the flag set skips this method and remembers another topic at once, so it must find
     * the copy cleared already (set first, another thread could remember another topic while the copy still held
     * this topic's listener, and an emit of that other event would call it).
     */
    synchronized void disown(Processor processor) {
        processor.recentDirect = null;
        processor.severalEvents = true;
        adopters = without(processor, 0);
    }

    /**
     * The adopters but {@code leaving} and those gone (collected, or of several events), with {@code room} empty
     * slots at the end. Under this topic's lock.
     */
    @SuppressWarnings("unchecked")
    private WeakReference<Processor>[] without(Processor leaving, int room) {
        WeakReference<Processor>[] current = adopters;
        WeakReference<Processor>[] kept = (WeakReference<Processor>[]) new WeakReference<?>[current.length + room];
        int size = 0;
        for (WeakReference<Processor> adopter : current) {
            Processor processor = adopter.get();
            if (processor != null && processor != leaving && !processor.severalEvents) {
                kept[size++] = adopter;
            }
        }
        return size == current.length ? kept : Arrays.copyOf(kept, size + room);
    }

    private boolean directCallsAllowed() {
        return !isError && owner.dispatcher.allowsDirectCalls();
    }

    private void publish(Subscriber[] next) {
        publish(Route.of(next, route.accepted()), true);
    }

    synchronized void add(Subscriber subscriber) {
        Subscriber[] current = route.subscribers();
        Subscriber[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = subscriber;
        publish(next);
    }

    synchronized void remove(Subscriber subscriber) {
        Subscriber[] current = route.subscribers();
        for (int i = 0; i < current.length; i++) {
            if (current[i] == subscriber) {
                Subscriber[] next = new Subscriber[current.length - 1];
                System.arraycopy(current, 0, next, 0, i);
                System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                publish(next);
                return;
            }
        }
    }

    synchronized void clear() {
        publish(new Subscriber[0]);
    }
}
