package io.pipeline.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * What both dispatchers share: the listener registry, the general emit path (dead events, error events, the
 * open check), error routing, the fatal-error seam and dead-event counting. The emit path's fast rungs and every
 * inline delivery live in {@link InlineDelivery}; subclasses decide only where and when a message is delivered.
 */
abstract sealed class Dispatcher implements MessageHandler permits SyncDispatcher, AsyncDispatcher {
    private static final System.Logger LOG = System.getLogger(MessageHandler.class.getName());
    private static final VarHandle FATAL_ERROR;

    static {
        try {
            FATAL_ERROR = MethodHandles.lookup()
                    .findVarHandle(Dispatcher.class, "fatalError", Throwable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentHashMap<String, ProcessorTopics> processors = new ConcurrentHashMap<>();
    private final LongAdder deadEvents = new LongAdder();
    private final AtomicInteger busyAsyncListeners = new AtomicInteger();
    private volatile UncaughtErrorSink uncaughtErrors = Dispatcher::logUncaught;
    private final AtomicBoolean claimed = new AtomicBoolean();
    /** The emit path and every inline delivery (see its design note). */
    final InlineDelivery inline;

    /** {@code countsNesting}: whether inline deliveries count their depth (the async loop thread bounds it). */
    Dispatcher(boolean countsNesting) {
        this.inline = new InlineDelivery(this, countsNesting);
    }

    /** Where errors nobody listens to end up. A {@link Flow} installs one that fails the owning manager. */
    @FunctionalInterface
    interface UncaughtErrorSink {
        void uncaught(String processorName, Throwable error);
    }

    /**
     * Whether topics created from now on keep counters ({@link TopicStats}); a {@link Flow} built with
     * {@code metrics(false)} turns them off before any of its processors exists.
     */
    private volatile boolean metricsEnabled = true;
    final boolean metricsEnabled() {
        return metricsEnabled;
    }

    final void metrics(boolean enabled) {
        this.metricsEnabled = enabled;
    }

    /**
     * Whether topics created from now on also sample the listener time of direct calls (see {@link InlineDelivery}):
     * off by default, {@code Flow.Builder.timeDirectCalls(true)} turns it on.
     */
    private volatile boolean timesDirectCalls;
    final boolean timesDirectCalls() {
        return timesDirectCalls;
    }

    final void timeDirectCalls(boolean enabled) {
        this.timesDirectCalls = enabled;
    }

    /** The handler's own figures for {@link FlowMetrics}. */
    abstract DispatcherMetrics dispatcherMetrics();

    /** Every processor's topics, for metrics; a snapshot. */
    final java.util.Map<String, ProcessorTopics> processors() {
        return java.util.Map.copyOf(processors);
    }

    /** The topics of the processor named {@code name}, or null if none of that name ever existed here. */
    final ProcessorTopics processorTopics(String name) {
        return processors.get(name);
    }

    /** Marks this handler as owned by a flow; false if a flow already owns it. */
    final boolean claim() {
        return claimed.compareAndSet(false, true);
    }

    static Dispatcher of(MessageHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return (Dispatcher) handler;
    }

    // ---- registry -------------------------------------------------------------------------------------------

    final ProcessorTopics topics(String processorName) {
        return processors.computeIfAbsent(processorName, name -> new ProcessorTopics(name, this));
    }

    final Subscription subscribe(ProcessorTopics owner, Event<?> event, Listener<Object> listener, boolean once) {
        Topic topic = owner.topic(event);
        Subscriber subscriber = new Subscriber.Plain(this, topic, once, listener);
        topic.add(subscriber);
        return subscriber;
    }

    final Subscription subscribeAsync(ProcessorTopics owner, Event<?> event, AsyncListener<Object> listener) {
        Topic topic = owner.topic(event);
        Subscriber subscriber = new Subscriber.Async(this, topic, false, listener);
        topic.add(subscriber);
        return subscriber;
    }

    /** Removes every listener of every processor whose name matches. */
    final void removeListeners(Predicate<String> processorName) {
        processors.forEach((name, topics) -> {
            if (processorName.test(name)) {
                topics.clear();
            }
        });
    }

    // ---- emitting -------------------------------------------------------------------------------------------

    /**
     * Whether a topic's sole plain listener may be called by {@link Processor#emit} directly on any emitting thread
     * (see {@link Topic#direct}): true for an open {@link SyncDispatcher}. Read under the topic's lock.
     */
    abstract boolean allowsDirectCalls();

    /** Makes every topic recompute its direct listener: after closing, none has one. */
    final void refreshDirectListeners() {
        processors.values().forEach(ProcessorTopics::refreshDirectListeners);
    }

    /**
     * Whether an emit on the current thread may run its listeners right here, before it returns: always under
     * the {@link SyncDispatcher} while open; on the {@link AsyncDispatcher}'s loop thread up to a bounded depth,
     * and only while nothing waits on its lane.
     */
    abstract boolean inlineHere();

    /** Whether the current thread is this handler's own delivery thread (an {@link AsyncDispatcher}'s loop). */
    abstract boolean onDeliveryThread();

    /** The general path of {@link Processor#emit}: {@code topic} is what the processor found, maybe null. */
    final boolean emit(ProcessorTopics owner, Topic topic, Event<?> event, Object payload) {
        if (topic == null || topic.isEmpty()) {
            unheard(owner, topic, event, payload);
            return false;
        }
        send(topic, payload, null);
        return true;
    }

    final CompletableFuture<Boolean> emitAsync(ProcessorTopics owner, Event<?> event, Object payload) {
        Topic topic = owner.find(event);
        if (topic == null) {
            topic = owner.topic(event); // a dead event: its topic counts it from now on
        }
        if (topic.stats != null) {
            topic.stats.emitted();
        }
        if (topic.isEmpty()) {
            unheard(owner, topic, event, payload);
            return CompletableFuture.completedFuture(Boolean.FALSE);
        }
        Completion completion = new Completion();
        send(topic, payload, completion);
        return completion.future;
    }

    /** An emit with listeners: error events never wait, drop or fail for lack of room; closed handlers throw. */
    private void send(Topic topic, Object payload, Completion completion) {
        if (topic.isError) {
            ensureOpen();
            enqueueError(topic, (Throwable) payload, completion);
        } else {
            enqueue(topic, payload, completion);
        }
    }

    /**
     * Nobody listens: a dead event. An error nobody listens to is uncaught — unless it is a {@link RecoveredFailure},
     * which its processor has already dealt with.
     */
    private void unheard(ProcessorTopics owner, Topic topic, Event<?> event, Object payload) {
        ensureOpen();
        countDead(topic);
        if (event.equals(Processor.ERROR) && !(payload instanceof RecoveredFailure)) {
            uncaught(owner.name, (Throwable) payload);
        }
    }

    /** A message accepted for {@code topic} found no listener left when it was delivered: a dead event. */
    final void deadOnDelivery(Topic topic) {
        countDead(topic);
    }

    /** One dead event: the handler's count, and {@code topic}'s when it has counters ({@code topic} may be null). */
    private void countDead(Topic topic) {
        deadEvents.increment();
        if (topic != null && topic.stats != null) {
            topic.stats.dead();
        }
    }

    /** Whether an emit from the current thread is accepted now. */
    abstract boolean accepting();

    final void ensureOpen() {
        if (!accepting()) {
            throw closedException();
        }
    }

    /** What an emit to a closed (or dead) handler throws: names the fatal error as cause, if there was one. */
    IllegalStateException closedException() {
        return closedException(getClass().getSimpleName());
    }

    final IllegalStateException closedException(String name) {
        Throwable fatal = fatalError;
        return fatal == null
                ? new IllegalStateException(name + " is closed")
                : new IllegalStateException(name + " is closed: delivery died of " + fatal, fatal);
    }

    /**
     * Queues or runs the delivery of one message to the topic's listeners. {@code completion} is {@code null}
     * for a plain emit. Throws {@link IllegalStateException} when closed.
     */
    abstract void enqueue(Topic topic, Object payload, Completion completion);

    /**
     * Delivers an error event; never blocks, never drops, never rejects for lack of room. {@code completion} is
     * {@code null} unless sent with {@code emitAsync}. Listener failures are routed here after the handler closed
     * too; an emit checks {@link #ensureOpen()} first.
     */
    abstract void enqueueError(Topic errors, Throwable error, Completion completion);

    /** Runs a continuation of an async listener where listeners run. */
    abstract void resume(Runnable continuation);

    /**
     * A delivery barrier, for retiring a manager: a future completed once every message this handler had accepted
     * before the call has been handed to its listeners, and no {@link AsyncListener} of a processor matching
     * {@code processors} has a stage in flight or a backlog — so that the processors' resources may be closed and
     * their listeners removed without a message of theirs still on its way. Never blocks, never waits for room in a
     * queue; complete at once when there is nothing to wait for, and at once (or as soon as delivery ends) when the
     * handler is dead or its delivery has ended. The future may be completed on the handler's delivery thread or on
     * the thread completing an async listener's stage: whoever waits on it must hand its work elsewhere.
     */
    abstract CompletableFuture<Void> barrier(Predicate<String> processors);

    // ---- errors ---------------------------------------------------------------------------------------------

    /** A listener of {@code topic} failed: emit it as the processor's ERROR, or report it as uncaught. */
    final void listenerFailed(Topic topic, Throwable failure) {
        listenerFailed(topic, failure, true);
    }

    /**
     * Like {@link #listenerFailed(Topic, Throwable)}; {@code ranHere} says whether the failure arose on this thread
     * in the listener's own call (thrown, or a stage it returned already failed). Only then may an
     * {@link InterruptedException} set this thread's flag again: a stage failed later by another thread — an HTTP
     * client's callback, a pool's worker — must not leave that unrelated thread interrupted.
     */
    final void listenerFailed(Topic topic, Throwable failure, boolean ranHere) {
        if (topic.stats != null) {
            topic.stats.failed();
        }
        if (failure instanceof VirtualMachineError fatal && !(failure instanceof StackOverflowError)) {
            died(fatal);
            throw fatal;
        }
        // A StackOverflowError is recoverable once the stack has unwound: it is routed like any failure. Should
        // routing overflow again, that error unwinds to the next enclosing delivery, which tries again with more
        // stack, so the overflow ends as an error event at the depth where there is room to report it.
        if (failure instanceof InterruptedException && ranHere && restoresInterrupt()) {
            Thread.currentThread().interrupt();
        }
        ListenerException wrapped = new ListenerException(topic.processorName(), topic.event.name(), failure);
        if (topic.isError) {
            uncaught(topic.processorName(), wrapped);
            return;
        }
        Topic errors = topic.owner.find(Processor.ERROR);
        if (errors == null || errors.isEmpty()) {
            // The processor's ERROR, emitted on its behalf and heard by nobody: counted as an emitted dead event,
            // exactly as if the processor had emitted it itself (see unheard), then uncaught.
            Topic dead = errors != null ? errors : topic.owner.topic(Processor.ERROR);
            if (dead.stats != null) {
                dead.stats.emitted();
            }
            countDead(dead);
            uncaught(topic.processorName(), wrapped);
        } else {
            if (errors.stats != null) {
                errors.stats.emitted(); // the processor's ERROR, emitted on its behalf
            }
            enqueueError(errors, wrapped, null);
        }
    }

    /**
     * Whether a listener's {@link InterruptedException} sets the interrupt flag of the thread that ran it: yes on
     * an emitter's own thread ({@link SyncDispatcher}); never on the async loop thread, which nobody interrupts
     * and which must not spin or run later listeners interrupted.
     */
    abstract boolean restoresInterrupt();

    final void uncaught(String processorName, Throwable error) {
        try {
            uncaughtErrors.uncaught(processorName, error);
        } catch (Throwable sinkFailure) {
            if (sinkFailure instanceof VirtualMachineError fatal && !(sinkFailure instanceof StackOverflowError)) {
                died(fatal);
                throw fatal;
            }
            logUncaught(processorName, error);
        }
    }

    final void uncaughtErrorSink(UncaughtErrorSink sink) {
        this.uncaughtErrors = sink == null ? Dispatcher::logUncaught : sink;
    }

    private static void logUncaught(String processorName, Throwable error) {
        LOG.log(System.Logger.Level.ERROR, LogContext.of(null, null, processorName)
                + "Uncaught error event of processor '" + processorName + "'", error);
    }

    // ---- fatal errors (seam between dispatch and supervision) --------------------------------------------

    private volatile Throwable fatalError;
    private volatile java.util.function.Consumer<Throwable> fatalErrorSink = error -> { };

    /**
     * The {@link VirtualMachineError} (other than a recoverable {@link StackOverflowError}) that killed delivery,
     * or {@code null} while the dispatcher is healthy. Once set, emits throw and blocked producers are released.
     */
    final Throwable fatalError() {
        return fatalError;
    }

    /**
     * Where a {@link Flow} hears of a fatal error: called once, on the thread that hit it (the async loop thread,
     * or an emitter of a {@code SyncDispatcher}), after the dispatcher stopped accepting.
     */
    final void fatalErrorSink(java.util.function.Consumer<Throwable> sink) {
        this.fatalErrorSink = sink == null ? error -> { } : sink;
    }

    /**
     * Records that delivery died of {@code error}, stops accepting emits ({@link #onDeath()}) and tells the sink;
     * the first error wins. Afterwards emits throw {@link IllegalStateException} with {@code error} as cause.
     */
    final void died(Throwable error) {
        if (!FATAL_ERROR.compareAndSet(this, null, error)) {
            return;
        }
        try {
            onDeath();
        } catch (Throwable ignored) {
            // dying already; the sink below must still hear of it
        }
        try {
            fatalErrorSink.accept(error);
        } catch (Throwable ignored) {
            // the sink is the flow's; nothing more can be done on a dying thread
        }
    }

    /** Stops accepting: called once, by {@link #died}, after {@link #fatalError()} is set. */
    abstract void onDeath();

    // ---- async listener accounting -------------------------------------------------------------------------

    /** {@code listener} got a stage in flight (it was idle); on the thread that delivers to it. */
    void asyncStarted(Subscriber.Async listener) {
        busyAsyncListeners.incrementAndGet();
    }

    /** {@code listener}'s last stage completed and its backlog is empty; where its continuation runs. */
    void asyncFinished(Subscriber.Async listener) {
        busyAsyncListeners.decrementAndGet();
    }

    final int busyAsyncListeners() {
        return busyAsyncListeners.get();
    }

    @Override
    public final long deadEvents() {
        return deadEvents.sum();
    }

    // ---- state kept across processor instances ------------------------------------------------------------

    private final RetainedState retainedState = new RetainedState();

    /** The state processors keep under their names, for their successors of the same name. */
    final RetainedState retainedState() {
        return retainedState;
    }

    private final StartGate startGate = new StartGate();

    /** What processors defer until the manager that named them has started. */
    final StartGate startGate() {
        return startGate;
    }
}
