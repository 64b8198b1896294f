package io.pipeline.core;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * What both dispatchers share: the listener registry, error routing and dead-event counting. Subclasses
 * decide only where and when a message is delivered.
 */
abstract sealed class Dispatcher implements MessageHandler permits SyncDispatcher, AsyncDispatcher {
    private static final System.Logger LOG = System.getLogger(MessageHandler.class.getName());

    private final ConcurrentHashMap<String, ProcessorTopics> processors = new ConcurrentHashMap<>();
    private final LongAdder deadEvents = new LongAdder();
    private final AtomicInteger busyAsyncListeners = new AtomicInteger();
    private volatile UncaughtErrorSink uncaughtErrors = Dispatcher::logUncaught;
    private final AtomicBoolean claimed = new AtomicBoolean();
    /** Whether {@link #runInline} counts nesting (the {@link AsyncDispatcher}'s loop thread bounds it). */
    final boolean boundedNesting;
    /** Nesting of inline deliveries; read and written only by the loop thread of an AsyncDispatcher. */
    int inlineDepth;

    Dispatcher(boolean boundedNesting) {
        this.boundedNesting = boundedNesting;
    }

    /** Where errors nobody listens to end up. A {@link Flow} installs one that fails the owning manager. */
    @FunctionalInterface
    interface UncaughtErrorSink {
        void uncaught(String processorName, Throwable error);
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
     * (see {@link Topic#directListener()}): true for an open {@link SyncDispatcher}. Read under the topic's lock.
     */
    abstract boolean allowsDirectCalls();

    /** Makes every topic recompute its direct listener: after closing, none has one. */
    final void refreshDirectListeners() {
        processors.values().forEach(ProcessorTopics::refreshDirectListeners);
    }

    /**
     * Whether an emit on the current thread may run its listeners right here, before it returns: always under
     * the {@link SyncDispatcher} while open; on the {@link AsyncDispatcher}'s loop thread up to a bounded depth.
     */
    abstract boolean inlineHere();

    /**
     * The hot path, called by {@link Processor#emit} once it has found that every listener of the topic is a
     * plain, permanent one and {@link #inlineHere()}. Kept small so that the JIT can inline a whole chain of
     * processors into the emitter and scalar-replace payloads that do not outlive it.
     */
    final void runInline(Topic topic, Listener<Object>[] listeners, Object payload) {
        if (boundedNesting) {
            inlineDepth++;
            try {
                callAll(topic, listeners, payload);
            } finally {
                inlineDepth--;
            }
        } else {
            callAll(topic, listeners, payload);
        }
    }

    private void callAll(Topic topic, Listener<Object>[] listeners, Object payload) {
        for (Listener<Object> listener : listeners) {
            call(topic, listener, payload);
        }
    }

    /** The general path of {@link Processor#emit}: {@code topic} is what the processor found, maybe null. */
    /** Runs one plain listener; a failure is routed, never thrown. */
    private void call(Topic topic, Listener<Object> listener, Object payload) {
        try {
            listener.handle(payload);
        } catch (Throwable failure) {
            listenerFailed(topic, failure);
        }
    }

    /** The general path of {@link Processor#emit}: {@code topic} is what the processor found, maybe null. */
    final boolean emit(ProcessorTopics owner, Topic topic, Event<?> event, Object payload) {
        if (topic == null || topic.isEmpty()) {
            unheard(owner, event, payload);
            return false;
        }
        if (topic.isError) {
            enqueueError(topic, (Throwable) payload);
        } else {
            enqueue(topic, payload, null);
        }
        return true;
    }

    final CompletableFuture<Boolean> emitAsync(ProcessorTopics owner, Event<?> event, Object payload) {
        Topic topic = owner.find(event);
        if (topic == null || topic.isEmpty()) {
            unheard(owner, event, payload);
            return CompletableFuture.completedFuture(Boolean.FALSE);
        }
        Completion completion = new Completion();
        enqueue(topic, payload, completion);
        return completion.future;
    }

    private void unheard(ProcessorTopics owner, Event<?> event, Object payload) {
        ensureOpen();
        deadEvents.increment();
        if (event.equals(Processor.ERROR) && !(payload instanceof RecoveredFailure)) {
            uncaught(owner.name, (Throwable) payload);
        }
    }

    /** Whether an emit from the current thread is accepted now. */
    abstract boolean accepting();

    final void ensureOpen() {
        if (!accepting()) {
            throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        }
    }

    /**
     * Queues or runs the delivery of one message to the topic's listeners. {@code completion} is {@code null}
     * for a plain emit. Throws {@link IllegalStateException} when closed.
     */
    abstract void enqueue(Topic topic, Object payload, Completion completion);

    /** Delivers an error event; never blocks, never drops, never rejects. */
    abstract void enqueueError(Topic errors, Throwable error);

    /** Runs a continuation of an async listener where listeners run. */
    abstract void resume(Runnable continuation);

    /** Runs every listener of {@code topic}; each failure is routed, never thrown. */
    final void deliver(Topic topic, Object payload, Completion completion) {
        if (completion == null) {
            Listener<Object> sole = topic.soleListener();
            if (sole != null) {
                call(topic, sole, payload);
                return;
            }
            Listener<Object>[] listeners = topic.plainListeners();
            if (listeners != null) {
                for (Listener<Object> listener : listeners) {
                    call(topic, listener, payload);
                }
                return;
            }
        }
        for (Subscriber subscriber : topic.subscribers()) {
            subscriber.deliver(payload, completion);
        }
        if (completion != null) {
            completion.arrive();
        }
    }

    // ---- errors ---------------------------------------------------------------------------------------------

    /** A listener of {@code topic} failed: emit it as the processor's ERROR, or report it as uncaught. */
    final void listenerFailed(Topic topic, Throwable failure) {
        if (failure instanceof VirtualMachineError fatal) {
            throw fatal;
        }
        if (failure instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        ListenerException wrapped = new ListenerException(topic.processorName(), topic.event.name(), failure);
        if (topic.isError) {
            uncaught(topic.processorName(), wrapped);
            return;
        }
        Topic errors = topic.owner.find(Processor.ERROR);
        if (errors == null || errors.isEmpty()) {
            uncaught(topic.processorName(), wrapped);
        } else {
            enqueueError(errors, wrapped);
        }
    }

    final void uncaught(String processorName, Throwable error) {
        try {
            uncaughtErrors.uncaught(processorName, error);
        } catch (Throwable sinkFailure) {
            if (sinkFailure instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            logUncaught(processorName, error);
        }
    }

    final void uncaughtErrorSink(UncaughtErrorSink sink) {
        this.uncaughtErrors = sink == null ? Dispatcher::logUncaught : sink;
    }

    private static void logUncaught(String processorName, Throwable error) {
        LOG.log(System.Logger.Level.ERROR, "Uncaught error event of processor '" + processorName + "'", error);
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

    /** Where a {@link Flow} hears of a fatal error: called once, on the thread that hit it. */
    final void fatalErrorSink(java.util.function.Consumer<Throwable> sink) {
        this.fatalErrorSink = sink == null ? error -> { } : sink;
    }

    /** Records that delivery died of {@code error} and tells the sink; the first error wins. */
    final void died(Throwable error) {
        if (fatalError != null) {
            return;
        }
        fatalError = error;
        try {
            fatalErrorSink.accept(error);
        } catch (Throwable ignored) {
            // the sink is the flow's; nothing more can be done on a dying thread
        }
    }

    // ---- async listener accounting -------------------------------------------------------------------------

    final void asyncStarted() {
        busyAsyncListeners.incrementAndGet();
    }

    void asyncFinished() {
        busyAsyncListeners.decrementAndGet();
    }

    final int busyAsyncListeners() {
        return busyAsyncListeners.get();
    }

    @Override
    public final long deadEvents() {
        return deadEvents.sum();
    }
}
