package io.pipeline.core;

import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/** One registered listener: how a message is handed to it and where its failures go. */
abstract class Subscriber implements Subscription {
    final Dispatcher dispatcher;
    final Topic topic;
    private final AtomicBoolean fired;

    Subscriber(Dispatcher dispatcher, Topic topic, boolean once) {
        this.dispatcher = dispatcher;
        this.topic = topic;
        this.fired = once ? new AtomicBoolean() : null;
    }

    /** The listener, when this is a plain listener that stays registered; else {@code null}. */
    Listener<Object> plainListener() {
        return null;
    }

    /** Hands one message over. Never throws, except {@link VirtualMachineError}. */
    abstract void deliver(Object payload, Completion completion);

    final boolean isOnce() {
        return fired != null;
    }

    /** For a {@code once} listener, only the first delivery claims it (and unregisters it). */
    final boolean claim() {
        if (fired == null) {
            return true;
        }
        if (fired.compareAndSet(false, true)) {
            topic.remove(this);
            return true;
        }
        return false;
    }

    @Override
    public final void cancel() {
        topic.remove(this);
    }

    /** A plain {@link Listener}: runs inline on the delivering thread. */
    static final class Plain extends Subscriber {
        private final Listener<Object> listener;

        Plain(Dispatcher dispatcher, Topic topic, boolean once, Listener<Object> listener) {
            super(dispatcher, topic, once);
            this.listener = listener;
        }

        @Override
        Listener<Object> plainListener() {
            return isOnce() ? null : listener;
        }

        @Override
        void deliver(Object payload, Completion completion) {
            if (!claim()) {
                return;
            }
            try {
                listener.handle(payload);
            } catch (Throwable failure) {
                dispatcher.listenerFailed(topic, failure);
            }
        }
    }

    /**
     * An {@link AsyncListener}: at most one stage in flight; later messages wait in a backlog and are started,
     * in order, when the previous stage completes. Continuations run where the dispatcher says
     * ({@link Dispatcher#resume}): on the loop thread for {@link AsyncDispatcher}.
     */
    static final class Async extends Subscriber {
        private final AsyncListener<Object> listener;
        private final ArrayDeque<Pending> backlog = new ArrayDeque<>();
        private boolean busy;

        private record Pending(Object payload, Completion completion) {}

        Async(Dispatcher dispatcher, Topic topic, boolean once, AsyncListener<Object> listener) {
            super(dispatcher, topic, once);
            this.listener = listener;
        }

        @Override
        void deliver(Object payload, Completion completion) {
            if (!claim()) {
                return;
            }
            if (completion != null) {
                completion.expect();
            }
            synchronized (this) {
                if (busy) {
                    backlog.add(new Pending(payload, completion));
                    return;
                }
                busy = true;
            }
            dispatcher.asyncStarted();
            invoke(payload, completion);
        }

        private void invoke(Object payload, Completion completion) {
            CompletionStage<?> stage;
            try {
                stage = listener.handle(payload);
                if (stage == null) {
                    throw new NullPointerException("async listener returned null instead of a CompletionStage");
                }
            } catch (Throwable failure) {
                dispatcher.resume(() -> finished(completion, failure));
                return;
            }
            stage.whenComplete((ignored, failure) -> dispatcher.resume(() -> finished(completion, failure)));
        }

        private void finished(Completion completion, Throwable failure) {
            if (failure != null) {
                dispatcher.listenerFailed(topic, Manager.unwrap(failure));
            }
            if (completion != null) {
                completion.arrive();
            }
            Pending next;
            synchronized (this) {
                next = backlog.poll();
                if (next == null) {
                    busy = false;
                }
            }
            if (next == null) {
                dispatcher.asyncFinished();
            } else {
                invoke(next.payload, next.completion);
            }
        }
    }
}
