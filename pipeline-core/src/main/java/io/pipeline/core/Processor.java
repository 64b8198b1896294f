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
    /**
     * Emitted with the failure when one of this processor's listeners throws (a {@link ListenerException}), or by
     * the processor itself. An error nobody listens to is <em>uncaught</em>: counted as a dead event and reported to
     * the {@link Flow}, which fails the owning manager — except a {@link RecoveredFailure}, a failure the processor
     * has already recovered from, which is only counted as a dead event. Error events are never dropped, never
     * wait for room and are never rejected for lack of it; after the handler is closed, emitting one throws like
     * any emit.
     */
    public static final Event<Throwable> ERROR = Event.of("error", Throwable.class);

    private final String name;
    private final MessageHandler handler;
    private final Dispatcher dispatcher;
    final ProcessorTopics topics;
    final InlineDelivery delivery;
    /** The topic this processor emitted last; owned by {@link InlineDelivery} (see its design note). */
    volatile Topic recent;
    /**
     * The {@link Topic#direct direct listener} of {@link #adopted}, kept current by that topic, while this processor
     * has emitted no other event; {@code null} otherwise. Owned by {@link Topic#adopt} and {@link InlineDelivery}
     * (see its design note): a copy one load nearer the emitter.
     */
    volatile Listener<Object> recentDirect;
    /** The first topic this processor emitted to; set once, by compare-and-set ({@link InlineDelivery}). */
    volatile Topic adopted;
    /**
     * Whether this processor has emitted to a topic other than {@link #adopted}: then {@link #recentDirect} stays
     * {@code null}. Written once, under the lock of {@link #adopted}, after {@link #recentDirect} was cleared.
     */
    volatile boolean severalEvents;

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
        this.delivery = dispatcher.inline;
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
        return InlineDelivery.emit(this, event, payload);
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

    static void checkPayload(Event<?> event, Object payload) {
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
