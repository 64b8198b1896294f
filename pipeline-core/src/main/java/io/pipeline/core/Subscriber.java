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
            TopicStats stats = topic.stats;
            boolean timed = stats != null && stats.delivering();
            long start = timed ? System.nanoTime() : 0;
            try {
                listener.handle(payload);
            } catch (Throwable failure) {
                dispatcher.listenerFailed(topic, failure);
            }
            if (timed) {
                stats.timed(System.nanoTime() - start);
            }
        }
    }

    /**
     * An {@link AsyncListener}: at most one stage in flight; later messages wait in a backlog and are started,
     * in order, when the previous stage completes. Continuations run where the dispatcher says
     * ({@link Dispatcher#resume}): on the loop thread for {@link AsyncDispatcher}, on the completing thread for
     * {@link SyncDispatcher}.
     *
     * <p>A backlog is worked through iteratively: when a stage completes while this listener is being invoked on the
     * same thread (an already completed stage, or a {@code SyncDispatcher} continuation), the next message is
     * handed back to the invoking loop ({@link Run}) instead of being started from inside the continuation, so any
     * number of stages completing at once use constant stack.
     */
    static final class Async extends Subscriber {
        private final AsyncListener<Object> listener;
        private final ArrayDeque<Pending> backlog = new ArrayDeque<>();
        private boolean busy;
        /** The message whose stage is in flight while {@link #busy}; guarded by {@code this}. */
        private Pending current;

        /** {@code timed}: whether the call that returns this message's stage is one of the sampled deliveries. */
        private record Pending(Object payload, Completion completion, boolean timed) {}

        /** One invoking loop: the thread that runs it, and the next message handed back to it. */
        private static final class Run {
            final Thread thread = Thread.currentThread();
            boolean invoking;
            Pending next;
        }

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
            // Counted when handed over. When the count says to time it, the call that returns the stage is timed (not
            // the stage): the sample the sequence chose is then not lost (ListenerTime).
            boolean timed = topic.stats != null && topic.stats.delivering();
            Pending pending = new Pending(payload, completion, timed);
            synchronized (this) {
                if (busy) {
                    backlog.add(pending);
                    return;
                }
                busy = true;
                current = pending;
            }
            dispatcher.asyncStarted(this);
            start(pending);
        }

        /** Invokes the listener for {@code first}, then for every message handed back while invoking. */
        private void start(Pending first) {
            Run run = new Run();
            Pending next = first;
            while (next != null) {
                synchronized (run) {
                    run.invoking = true;
                    run.next = null;
                }
                invoke(next, run);
                synchronized (run) {
                    run.invoking = false;
                    next = run.next;
                }
            }
        }

        private void invoke(Pending pending, Run run) {
            CompletionStage<?> stage;
            long start = pending.timed ? System.nanoTime() : 0;
            try {
                try {
                    stage = listener.handle(pending.payload);
                } finally {
                    if (pending.timed) {
                        topic.stats.timed(System.nanoTime() - start); // thrown or returned: the call's time
                    }
                }
                if (stage == null) {
                    throw new NullPointerException("async listener returned null instead of a CompletionStage");
                }
            } catch (Throwable failure) {
                dispatcher.resume(() -> finished(pending.completion, failure, run));
                return;
            }
            stage.whenComplete((ignored, failure) ->
                    dispatcher.resume(() -> finished(pending.completion, failure, run)));
        }

        private void finished(Completion completion, Throwable failure, Run run) {
            if (failure != null) {
                boolean ranHere;
                synchronized (run) {
                    ranHere = run.invoking && run.thread == Thread.currentThread();
                }
                try {
                    dispatcher.listenerFailed(topic, Completion.unwrap(failure), ranHere);
                } catch (Throwable fatal) { // only a fatal error escapes: delivery died of it, here
                    abandon(fatal); // this message (the current one) and the backlog
                    throw fatal;
                }
            }
            if (completion != null) {
                completion.arrive();
            }
            Throwable death = dispatcher.fatalError();
            if (death != null) {
                abandonBacklog(death); // the stage completed after delivery died: the backlog is not run
                dispatcher.asyncFinished(this);
                return;
            }
            Pending next;
            synchronized (this) {
                next = backlog.poll();
                current = next;
                if (next == null) {
                    busy = false;
                }
            }
            if (next == null) {
                dispatcher.asyncFinished(this);
                return;
            }
            synchronized (run) {
                if (run.invoking && run.thread == Thread.currentThread()) {
                    run.next = next; // the invoking loop below us on this stack starts it
                    return;
                }
            }
            start(next);
        }

        /**
         * The dispatcher's delivery died of {@code cause} (an {@link AsyncDispatcher}'s loop thread ended of a fatal
         * error, or a {@link SyncDispatcher} recorded one): the continuation of the stage in flight will never run
         * (or has just run, after the death), nor will the backlog be worked through. Fails the {@code emitAsync}
         * futures of the message in flight, if still pending, and of every backlogged one with {@code cause}.
         */
        void abandon(Throwable cause) {
            abandon(cause, true);
        }

        /** As {@link #abandon(Throwable)}, for the backlog only: the message in flight has just been handled. */
        private void abandonBacklog(Throwable cause) {
            abandon(cause, false);
        }

        private void abandon(Throwable cause, boolean withCurrent) {
            java.util.List<Pending> lost = new java.util.ArrayList<>();
            synchronized (this) {
                if (withCurrent && current != null) {
                    lost.add(current);
                }
                lost.addAll(backlog);
                backlog.clear();
                current = null;
                busy = false;
            }
            for (Pending pending : lost) {
                if (pending.completion != null) {
                    pending.completion.abandon(cause);
                }
            }
        }
    }
}
