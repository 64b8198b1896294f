package io.pipeline.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

/**
 * Retires one manager that ended while its flow runs — a source failed or finished, an uncaught error failed it,
 * the flow gave up on it — in the order {@link Flow#close()} keeps for all of them:
 * <ol>
 *   <li>stop the manager's sources, and wait for each one's future, which completes once the source has no emit in
 *       progress on a thread of its own (the stop contract in {@link Source});</li>
 *   <li>wait for the handler's delivery barrier ({@link Dispatcher#barrier}): everything the handler accepted so
 *       far has been handed to the listeners, and the manager's async listeners are idle;</li>
 *   <li>close the resources registered with {@link Manager#closeOnStop}, then remove the manager's listeners;</li>
 *   <li>tell the flow ({@code onRetired}), which only then may build the manager's successor: the successor uses
 *       the same processor names, so removing the old listeners after it registered its own would strip them.</li>
 * </ol>
 * Each wait is bounded by {@code Flow.Builder.sourceStopTimeout}, measured by the supervisor's scheduler: when it
 * runs out, a warning names the manager (and each source still running) and the retirement goes on, as the close
 * does. So a retirement takes at most twice that timeout.
 *
 * <h2>Threads</h2>
 * Every step runs as a supervision task of the flow (on its supervisor, holding its supervision lock); a wait is a
 * future whose completion submits the next step, never a blocked supervisor, so that the other managers'
 * supervision goes on meanwhile. When nothing is left to wait for — the usual case — the whole sequence runs at
 * once, inside the task that began it. Once the flow closes, the steps do nothing: the close takes the retirement
 * over ({@link #takeOver()}) and retires the manager in its own order.
 *
 * <p>Thread-safe: the phase is guarded by {@code this}; the steps run one at a time on the supervisor.
 */
final class Retirement {
    /** Logged under the flow's logger: the warnings are the flow's, as the close's are. */
    private static final System.Logger LOG = System.getLogger(Flow.class.getName());

    /** What a retirement needs of its flow. */
    interface Supervision {
        /** Runs {@code task} as a supervision task, soon. */
        void execute(Runnable task);

        /** Runs {@code task} as a supervision task after {@code nanos}; {@code null} if it cannot be scheduled. */
        ScheduledFuture<?> schedule(Runnable task, long nanos);

        /** Whether the flow is closing (or closed): the close then retires every manager itself. */
        boolean closing();

        /** Runs one step of stopping {@code manager}, logging what it throws (a fatal error is rethrown). */
        void quietly(Manager manager, String what, Runnable step);
    }

    private enum Phase { NEW, SOURCES, DELIVERY, FINISHING, RETIRED, TAKEN_OVER }

    private final String flowName;
    private final Manager manager;
    private final Dispatcher dispatcher;
    /** The bound of each wait; {@code Long.MAX_VALUE} waits without limit. */
    private final long timeoutNanos;
    private final Supervision supervision;
    private final Consumer<Retirement> onRetired;
    private Phase phase = Phase.NEW;
    private ScheduledFuture<?> timeout;

    Retirement(String flowName, Manager manager, Dispatcher dispatcher, long timeoutNanos, Supervision supervision,
               Consumer<Retirement> onRetired) {
        this.flowName = flowName;
        this.manager = Objects.requireNonNull(manager, "manager");
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.timeoutNanos = timeoutNanos;
        this.supervision = Objects.requireNonNull(supervision, "supervision");
        this.onRetired = Objects.requireNonNull(onRetired, "onRetired");
    }

    Manager manager() {
        return manager;
    }

    /** Step 1, on the supervisor: stops the sources and waits for their futures (or goes on at once). */
    void begin() {
        if (!enter(Phase.NEW, Phase.SOURCES)) {
            return;
        }
        supervision.quietly(manager, "Stopping the sources of", manager::stopSources);
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (Source source : manager.sources()) {
            CompletableFuture<Void> future = source.running();
            if (!future.isDone()) {
                running.add(future);
            }
        }
        if (running.isEmpty()) {
            awaitDelivery();
            return;
        }
        armTimeout(Phase.SOURCES, this::sourcesTimedOut);
        CompletableFuture.allOf(running.toArray(CompletableFuture<?>[]::new)).whenComplete((ignored, failure) ->
                supervision.execute(() -> {
                    if (!supervision.closing() && still(Phase.SOURCES)) {
                        awaitDelivery();
                    }
                }));
    }

    /** Step 2: the handler's delivery barrier for the manager's processors. */
    private void awaitDelivery() {
        if (!enter(Phase.SOURCES, Phase.DELIVERY)) {
            return;
        }
        CompletableFuture<Void> barrier;
        try {
            barrier = dispatcher.barrier(manager::owns);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, LogContext.of(flowName, manager.name(), null)
                    + "The delivery barrier for manager '" + manager.name() + "' failed; retiring it anyway", e);
            barrier = CompletableFuture.completedFuture(null);
        }
        if (barrier.isDone()) {
            finish();
            return;
        }
        armTimeout(Phase.DELIVERY, this::deliveryTimedOut);
        barrier.whenComplete((ignored, failure) -> supervision.execute(() -> {
            if (!supervision.closing() && still(Phase.DELIVERY)) {
                finish();
            }
        }));
    }

    private void sourcesTimedOut() {
        for (Source source : manager.sources()) {
            if (!source.running().isDone()) {
                LOG.log(System.Logger.Level.WARNING, LogContext.of(flowName, manager.name(), source.name())
                        + "Source '" + source.name() + "' is still running " + Duration.ofNanos(timeoutNanos)
                        + " after stop(); retiring manager '" + manager.name() + "' anyway (a delivery of it may"
                        + " still be in a listener when its resources close)");
            }
        }
        awaitDelivery();
    }

    private void deliveryTimedOut() {
        LOG.log(System.Logger.Level.WARNING, LogContext.of(flowName, manager.name(), null)
                + "The messages of manager '" + manager.name() + "' accepted before it ended were not all delivered "
                + Duration.ofNanos(timeoutNanos) + " after its sources stopped (a listener stalled?); closing its"
                + " resources and removing its listeners anyway: what is still queued for its processors goes to"
                + " whoever listens to them when it is delivered (its successor, built next, or nobody: a dead event)");
        finish();
    }

    /** Step 3: resources, then listeners; then the flow hears of it (step 4). */
    private void finish() {
        if (!enter(Phase.DELIVERY, Phase.FINISHING)) {
            return;
        }
        supervision.quietly(manager, "Waiting for the sources of", manager::awaitSourcesIdle);
        supervision.quietly(manager, "Closing the resources of", manager::closeResources);
        supervision.quietly(manager, "Removing listeners of", manager::removeAllListeners);
        enter(Phase.FINISHING, Phase.RETIRED);
        onRetired.accept(this);
    }

    /**
     * The flow closes: it retires the manager itself (its close waits for the sources, drains the handler, closes
     * the resources and removes the listeners). Returns the manager, or {@code null} when the retirement has
     * already closed its resources (or is closing them, on this very thread: a resource closing the flow). Later
     * steps of this retirement do nothing.
     */
    synchronized Manager takeOver() {
        if (phase == Phase.FINISHING || phase == Phase.RETIRED || phase == Phase.TAKEN_OVER) {
            return null;
        }
        phase = Phase.TAKEN_OVER;
        cancelTimeout();
        return manager;
    }

    private synchronized boolean still(Phase expected) {
        return phase == expected;
    }

    /** Moves from {@code from} to {@code to}; false if the retirement is elsewhere (taken over, or timed out). */
    private synchronized boolean enter(Phase from, Phase to) {
        if (phase != from) {
            return false;
        }
        cancelTimeout();
        phase = to;
        return true;
    }

    private void armTimeout(Phase waiting, Runnable onTimeout) {
        if (timeoutNanos == Long.MAX_VALUE) {
            return;
        }
        ScheduledFuture<?> scheduled = supervision.schedule(() -> {
            if (!supervision.closing() && still(waiting)) {
                onTimeout.run();
            }
        }, timeoutNanos);
        synchronized (this) {
            if (phase == waiting && timeout == null) {
                timeout = scheduled;
                return;
            }
        }
        if (scheduled != null) {
            scheduled.cancel(false); // the wait ended while it was being scheduled
        }
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    @Override
    public synchronized String toString() {
        return "Retirement[" + manager.name() + ", " + phase + "]";
    }
}
