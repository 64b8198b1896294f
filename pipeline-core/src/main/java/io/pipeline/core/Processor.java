package io.pipeline.core;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A message consumer and producer: the building block of a pipeline. Subclass it, give it methods that can be
 * registered as listeners of other processors' events, and {@link #emit} what it produces.
 *
 * <pre>{@code
 * final class HandleRawData extends Processor {
 *     static final Event<Quote> PRICE = Event.of("price", Quote.class);
 *
 *     HandleRawData(String name, MessageHandler handler) {
 *         super(name, handler);
 *     }
 *
 *     void handle(RestSource.Poll poll) {
 *         emit(PRICE, Quote.from(poll));
 *     }
 * }
 * // wiring, in a Manager:
 * source.on(RestSource.DATA, processor::handle);
 * }</pre>
 *
 * <p>Events are scoped by this processor's name: listeners registered with {@code on} hear only what this
 * processor — or another processor of the same name on the same handler — emits. Listener failures are
 * emitted as this processor's {@link #ERROR}; when nobody listens to {@code ERROR}, the error is
 * <em>uncaught</em> and the {@link Flow} fails the manager that owns this processor.
 *
 * <p>Registration and emitting are thread-safe. Which thread runs listeners is the {@link MessageHandler}'s
 * choice: see {@link SyncDispatcher} and {@link AsyncDispatcher}.
 */
public abstract class Processor {
    /** Emitted with the failure when one of this processor's listeners throws, or by the processor itself. */
    public static final Event<Throwable> ERROR = Event.of("error", Throwable.class);

    private final String name;
    private final MessageHandler handler;
    private final Dispatcher dispatcher;
    private final ProcessorTopics topics;
    /**
     * The topic of the event this processor emitted last: most processors emit one event over and over. A plain
     * field: a stale or missing value only costs a lookup, and topics are never replaced.
     */
    private Topic recent;

    /**
     * Creates a processor named {@code name} on {@code handler}.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    protected Processor(String name, MessageHandler handler) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("processor name is blank");
        }
        this.name = name;
        this.handler = handler;
        this.dispatcher = Dispatcher.of(handler);
        this.topics = dispatcher.topics(name);
    }

    /** This processor's name, which scopes its events. */
    public final String name() {
        return name;
    }

    /** The message handler this processor emits through. */
    protected final MessageHandler handler() {
        return handler;
    }

    /** Registers {@code listener} for every {@code event} this processor emits, after those already registered. */
    @SuppressWarnings("unchecked")
    public final <T> Subscription on(Event<T> event, Listener<? super T> listener) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(listener, "listener");
        return dispatcher.subscribe(topics, event, (Listener<Object>) listener, false);
    }

    /**
     * Registers an asynchronous listener: it receives the next payload only when the stage it returned for the
     * previous one has completed.
     */
    @SuppressWarnings("unchecked")
    public final <T> Subscription onAsync(Event<T> event, AsyncListener<? super T> listener) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(listener, "listener");
        return dispatcher.subscribeAsync(topics, event, (AsyncListener<Object>) listener);
    }

    /** Registers {@code listener} for the next {@code event} only; it is removed before it runs. */
    @SuppressWarnings("unchecked")
    public final <T> Subscription once(Event<T> event, Listener<? super T> listener) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(listener, "listener");
        return dispatcher.subscribe(topics, event, (Listener<Object>) listener, true);
    }

    /**
     * Emits {@code payload} to the listeners of {@code event}. Returns {@code true} when at least one listener
     * was subscribed; an event nobody hears is counted in {@link MessageHandler#deadEvents()} (and, for
     * {@link #ERROR}, reported as uncaught).
     *
     * @throws NullPointerException if {@code payload} is null
     * @throws IllegalArgumentException if {@code payload} is not an instance of the event's type
     * @throws IllegalStateException if the handler is closed
     * @throws java.util.concurrent.RejectedExecutionException if an {@link AsyncDispatcher} with
     *     {@link Overflow#FAIL} is full
     */
    public final <T> boolean emit(Event<T> event, T payload) {
        // The fast path: the topic emitted last, with one listener an emitter may call directly (an open
        // SyncDispatcher), and a payload of a class already checked. Small, so that the JIT inlines a whole chain
        // of processors into the emitter and its payloads need no heap.
        Topic topic = recent;
        if (topic != null && topic.event == event && payload != null && payload.getClass() == topic.acceptedClass) {
            Listener<Object> direct = topic.directListener();
            if (direct != null) {
                try {
                    direct.handle(payload);
                } catch (Throwable failure) {
                    dispatcher.listenerFailed(topic, failure);
                }
                return true;
            }
            // Topic and payload already checked: an async loop thread goes straight to its listeners.
            return dispatcher.inlineHere() ? runHere(topic, event, payload) : emitQueued(event, payload);
        }
        // Otherwise two small paths rather than one large one.
        return dispatcher.inlineHere() ? emitHere(event, payload) : emitQueued(event, payload);
    }

    /** Runs the listeners on this thread: the emit path of a {@link SyncDispatcher} and of an async loop. */
    private boolean emitHere(Event<?> event, Object payload) {
        Topic topic = topicOf(event);
        if (topic == null || payload == null || !event.type().isInstance(payload)) {
            return emitQueued(event, payload);
        }
        topic.accepted(payload.getClass());
        return runHere(topic, event, payload);
    }

    /** Runs {@code topic}'s listeners on this thread, {@code payload} being checked; anything unusual is queued. */
    private boolean runHere(Topic topic, Event<?> event, Object payload) {
        Listener<Object> sole = topic.soleListener();
        if (sole != null) {
            boolean counted = dispatcher.boundedNesting;
            if (counted) {
                dispatcher.inlineDepth++;
            }
            try {
                sole.handle(payload);
            } catch (Throwable failure) {
                dispatcher.listenerFailed(topic, failure);
            }
            if (counted) {
                dispatcher.inlineDepth--;
            }
            return true;
        }
        Listener<Object>[] listeners = topic.plainListeners();
        if (listeners != null && listeners.length != 0 && !topic.isError) {
            dispatcher.runInline(topic, listeners, payload);
            return true;
        }
        return emitQueued(event, payload);
    }

    /** Everything else: validation, dead events, error events, async listeners, the queue. */
    private boolean emitQueued(Event<?> event, Object payload) {
        checkPayload(event, payload);
        return dispatcher.emit(topics, topicOf(event), event, payload);
    }

    private Topic topicOf(Event<?> event) {
        Topic topic = recent;
        if (topic == null || topic.event != event) {
            topic = topics.find(Objects.requireNonNull(event, "event"));
            if (topic != null) {
                recent = topic;
            }
        }
        return topic;
    }

    /**
     * Emits like {@link #emit}, and returns a future completed once every listener has handled the payload,
     * async listeners included: {@code true} when at least one listener was subscribed, {@code false} when
     * none was. Listener failures go to {@link #ERROR} and do not fail the future; a message discarded by an
     * overflow policy fails it with {@link java.util.concurrent.RejectedExecutionException}.
     */
    public final <T> CompletableFuture<Boolean> emitAsync(Event<T> event, T payload) {
        checkPayload(event, payload);
        return dispatcher.emitAsync(topics, event, payload);
    }

    private static void checkPayload(Event<?> event, Object payload) {
        Objects.requireNonNull(event, "event");
        if (payload == null) {
            throw new NullPointerException("payload of event '" + event.name() + "' is null");
        }
        if (!event.type().isInstance(payload)) {
            throw new IllegalArgumentException("payload of event '" + event.name() + "' must be a "
                    + event.type().getName() + ", was " + payload.getClass().getName());
        }
    }

    /** Removes every listener of every event of this processor. */
    public void removeAllListeners() {
        topics.clear();
    }

    /** The number of listeners registered for {@code event}. */
    public final int listenerCount(Event<?> event) {
        Objects.requireNonNull(event, "event");
        return topics.listenerCount(event);
    }

    /**
     * Whether this processor has finished its work. A plain processor only reacts to messages and holds no work
     * of its own, so it is always done; {@link Source} overrides this.
     */
    public boolean isDone() {
        return true;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + "]";
    }

    /**
     * State kept by the handler under this processor's name ({@link RetainedState}): the object a predecessor of
     * the same name left — the instance a restarted manager replaced — or a new one from {@code initial}. A
     * processor that must start fresh simply does not call this.
     */
    protected final <S> S retainedState(Class<S> type, java.util.function.Supplier<? extends S> initial) {
        return dispatcher.retainedState().get(name, type, initial);
    }
}
