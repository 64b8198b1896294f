package io.pipeline.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BooleanSupplier;

/**
 * One managed pipeline of a {@link Flow}: its factory, the manager currently built from it, its state for
 * {@link Flow#status()}, and its {@link RestartTracker}. The flow decides when things happen; the slot records
 * them atomically.
 *
 * <p>Thread-safe: guarded by its own monitor. User code is never called while holding it.
 */
final class Slot {
    /** What the flow does after a manager ended: restart after {@code delay}, or not. */
    record Outcome(boolean restart, Duration delay, int restarts) {}

    final ManagerFactory factory;
    private final RestartTracker tracker;
    private String name;
    private boolean named;
    private ManagerState state = ManagerState.NEW;
    private Manager current;
    /** The manager built last, kept after it ended: metrics attribute processors through it. */
    private Manager built;
    private Instant startedAt;
    /** When the latest manager was started; unlike {@link #startedAt}, kept after its run ended (for metrics). */
    private Instant lastStart;
    private int restarts;
    private Throwable lastError;
    private Instant lastErrorTime;
    /** Whether the latest end was a failure (not a normal finish) and a restart is pending. */
    private boolean failing;
    private ScheduledFuture<?> pending;
    /** The retirement of the manager that ended last, while it is in progress (see {@link Retirement}). */
    private Retirement retiring;
    /** Whether the restart came due while {@link #retiring}: it is made once the retirement has finished. */
    private boolean relaunchDue;

    Slot(ManagerFactory factory, String name, RestartTracker tracker) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.name = Objects.requireNonNull(name, "name");
        this.tracker = Objects.requireNonNull(tracker, "tracker");
    }

    synchronized String name() {
        return name;
    }

    /** The name of the manager built from this slot, if one has been built. */
    synchronized Optional<String> managerName() {
        return named ? Optional.of(name) : Optional.empty();
    }

    synchronized ManagerState state() {
        return state;
    }

    synchronized Manager current() {
        return current;
    }

    /** Records a freshly built manager; false if the flow is closing and it must not start. */
    synchronized boolean running(Manager manager, Instant now, BooleanSupplier closing) {
        if (closing.getAsBoolean()) {
            markStopped();
            return false;
        }
        name = manager.name();
        named = true;
        current = manager;
        built = manager;
        startedAt = now;
        lastStart = now;
        state = ManagerState.RUNNING;
        failing = false;
        return true;
    }

    /** The ended manager's retirement begins; the successor is not built before {@link #retired} says so. */
    synchronized void retiring(Retirement retirement) {
        retiring = retirement;
    }

    /** Whether a retirement is in progress. */
    synchronized boolean isRetiring() {
        return retiring != null;
    }

    /**
     * The restart came due: true if it must wait for the retirement in progress (it is then remembered, and
     * {@link #retired} reports it due).
     */
    synchronized boolean relaunchWaitsForRetirement() {
        if (retiring == null) {
            return false;
        }
        pending = null;
        relaunchDue = true;
        return true;
    }

    /** {@code retirement} has finished: whether the restart came due meanwhile, to be made now. */
    synchronized boolean retired(Retirement retirement) {
        if (retiring != retirement) {
            return false;
        }
        retiring = null;
        boolean due = relaunchDue;
        relaunchDue = false;
        return due;
    }

    /** The flow is closing: the retirement in progress, if any, for the close to take over. */
    synchronized Retirement takeRetirement() {
        Retirement taken = retiring;
        retiring = null;
        relaunchDue = false;
        return taken;
    }

    /** A restart is due: false if the flow is closing (nothing is built then). */
    synchronized boolean rebuilding(BooleanSupplier closing) {
        pending = null;
        if (closing.getAsBoolean()) {
            markStopped();
            return false;
        }
        restarts++;
        return true;
    }

    synchronized void pending(ScheduledFuture<?> future) {
        pending = future;
    }

    /**
     * Takes {@code manager} as ended, so that exactly one party — the supervisor, or the flow closing — handles
     * its end. False if it is not the current manager (already handled) or the flow is closing.
     */
    synchronized boolean claimEnd(Manager manager, BooleanSupplier closing) {
        if (current != manager || closing.getAsBoolean()) {
            return false;
        }
        current = null;
        return true;
    }

    /** The flow is closing: cancel a pending restart, mark stopped, return the running manager if any. */
    synchronized Manager closing() {
        cancelPending();
        relaunchDue = false;
        markStopped();
        Manager running = current;
        current = null;
        return running;
    }

    /**
     * Decides what follows the end of the slot's manager (claimed with {@link #claimEnd}, or a factory failure),
     * and records it. {@code cause} is the failure or {@code null} for a normal finish.
     */
    synchronized Outcome decide(Instant now, Throwable cause, boolean wantsRestart) {
        if (cause != null) {
            lastError = cause;
            lastErrorTime = now;
        }
        RestartTracker.Decision decision = wantsRestart ? tracker.decide(now, startedAt, cause)
                : new RestartTracker.GiveUp();
        startedAt = null; // that run is accounted for: a factory failing next is no healthy run since then
        if (decision instanceof RestartTracker.Restart restart) {
            state = ManagerState.RESTARTING;
            failing = cause != null;
            return new Outcome(true, restart.delay(), restarts);
        }
        state = cause == null ? ManagerState.COMPLETED : ManagerState.FAILED;
        failing = false;
        return new Outcome(false, Duration.ZERO, restarts);
    }

    /**
     * The flow gives up on this slot because of {@code cause} (a failed restart decision, a dead handler):
     * cancel a pending restart, mark FAILED, return the running manager if any, for the flow to stop.
     */
    synchronized Manager gaveUp(Throwable cause, Instant now) {
        cancelPending();
        relaunchDue = false;
        Manager running = current;
        current = null;
        if (!state.isTerminal()) {
            state = ManagerState.FAILED;
            lastError = cause;
            lastErrorTime = now;
        }
        failing = false;
        return running;
    }

    synchronized Manager built() {
        return built;
    }

    synchronized Optional<Instant> startedAt() {
        return Optional.ofNullable(startedAt);
    }

    /** When the latest manager built from this slot was started, also once it ended; empty if none was. */
    synchronized Optional<Instant> lastStart() {
        return Optional.ofNullable(lastStart);
    }

    synchronized int restarts() {
        return restarts;
    }

    synchronized ManagerStatus status() {
        return new ManagerStatus(name, state, restarts, Optional.ofNullable(lastError),
                Optional.ofNullable(lastErrorTime));
    }

    /** Why this slot makes the flow less than UP, or {@code null} if it does not. See {@link Flow#health()}. */
    synchronized String degradation(Instant now) {
        if (state == ManagerState.RESTARTING && failing) {
            return "manager '" + name + "' failed (" + lastError + ") and waits to restart";
        }
        if (state == ManagerState.NEW) {
            return "manager '" + name + "' is not built yet";
        }
        int recent = tracker.recentFailures(now);
        if (recent >= 2 && !state.isTerminal()) {
            return "manager '" + name + "' restarted after " + recent + " failures within "
                    + tracker.healthWindow() + " (latest: " + lastError + ")";
        }
        return null;
    }

    private void cancelPending() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    private void markStopped() {
        if (!state.isTerminal()) {
            state = ManagerState.STOPPED;
        }
        failing = false;
    }
}
