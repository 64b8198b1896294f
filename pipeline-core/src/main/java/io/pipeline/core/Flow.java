package io.pipeline.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * Runs managers and keeps them running: the entry point of a pipeline application.
 *
 * <pre>{@code
 * try (Flow flow = Flow.builder()
 *         .handler(new AsyncDispatcher())
 *         .manager(YahooManager::new)
 *         .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)))
 *         .build()) {
 *     flow.run();
 * }
 * }</pre>
 *
 * <h2>Supervision</h2>
 * A manager fails when its source's future completes exceptionally, when an error event nobody listens to is
 * emitted by one of its processors, or when its factory throws. The flow then stops it, removes every listener
 * of its processors, reports a {@link PipelineError} to the {@link ErrorReporter}, and — if the manager's
 * {@link Manager#shouldRestart()} and the {@link RestartPolicy} allow — builds a fresh manager from the factory
 * after the policy's backoff. A manager whose source finished normally is rebuilt too when
 * {@code shouldRestart()} is true. A manager the flow gave up on shows as {@link ManagerState#FAILED} in
 * {@link #status()}; the rest of the flow runs on.
 *
 * <h2>Lifecycle</h2>
 * NEW → RUNNING ({@link #start()}) → CLOSING → CLOSED ({@link #close()}). The flow is <em>terminated</em> once no
 * manager is running and none will be restarted, or once it is closed; {@link #run()} and
 * {@link #awaitTermination(Duration)} wait for that. The flow owns its handler and closes it.
 *
 * <p>This class is thread-safe. Supervision — reports, factories for restarts, stopping failed managers — runs
 * on one supervisor thread, {@code pipeline-flow-N-supervisor}, unless a scheduler is given to the builder.
 */
public final class Flow implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger(Flow.class.getName());

    private enum State { NEW, RUNNING, CLOSING, CLOSED }

    private final MessageHandler handler;
    private final Dispatcher dispatcher;
    private final List<Slot> slots;
    private final RestartPolicy policy;
    private final ErrorReporter reporter;
    private final Clock clock;
    private final RandomGenerator random;
    private final ScheduledExecutorService supervisor;
    private final boolean ownsSupervisor;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile Thread supervisorThread;

    private Flow(Builder builder) {
        this.handler = builder.handler != null ? builder.handler : new AsyncDispatcher();
        this.dispatcher = Dispatcher.of(handler);
        this.policy = builder.restartPolicy;
        this.reporter = builder.errorReporter;
        this.clock = builder.clock;
        this.random = builder.random;
        if (builder.scheduler != null) {
            this.supervisor = builder.scheduler;
            this.ownsSupervisor = false;
        } else {
            String threadName = "pipeline-flow-" + IDS.incrementAndGet() + "-supervisor";
            this.supervisor = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, threadName);
                thread.setDaemon(true);
                supervisorThread = thread;
                return thread;
            });
            this.ownsSupervisor = true;
        }
        List<Slot> list = new ArrayList<>();
        for (ManagerFactory factory : builder.factories) {
            list.add(new Slot(factory, "manager-" + (list.size() + 1)));
        }
        this.slots = List.copyOf(list);
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The handler every manager of this flow is built on. */
    public MessageHandler handler() {
        return handler;
    }

    /**
     * Builds and wires every manager, then starts their sources, which run in the background. A factory that
     * throws is handled like a failed manager.
     *
     * @throws IllegalStateException if the flow was already started or closed
     */
    public void start() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("flow already " + (isClosing() ? "closed" : "started"));
        }
        dispatcher.uncaughtErrorSink(this::onUncaught);
        for (Slot slot : slots) {
            launch(slot);
        }
    }

    /**
     * Starts the flow if it is new, then blocks until it is terminated: no manager running and none to be
     * restarted, or the flow closed. Returns early, with the interrupt flag set, if the thread is interrupted.
     */
    public void run() {
        if (state.get() == State.NEW) {
            start();
        }
        try {
            terminated.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Waits up to {@code timeout} for the flow to terminate.
     *
     * @return whether it terminated; {@code false} on timeout or interrupt (the flag is then kept)
     */
    public boolean awaitTermination(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            terminated.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Whether no manager is running and none will be restarted, or the flow is closed. */
    public boolean isTerminated() {
        return terminated.isDone();
    }

    /** A snapshot of every manager, in the order they were added to the builder. */
    public List<ManagerStatus> status() {
        List<ManagerStatus> list = new ArrayList<>(slots.size());
        for (Slot slot : slots) {
            list.add(slot.status());
        }
        return List.copyOf(list);
    }

    /** The snapshot of the manager named {@code name}, if there is one. */
    public Optional<ManagerStatus> status(String name) {
        Objects.requireNonNull(name, "name");
        return status().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Whether the flow runs and no manager has been given up on: a health check. */
    public boolean isHealthy() {
        return state.get() == State.RUNNING && status().stream().noneMatch(ManagerStatus::isFailed);
    }

    /**
     * Stops every manager, closes the handler (an {@link AsyncDispatcher} delivers everything it accepted first),
     * and ends the supervisor thread. Idempotent; a concurrent caller waits for the first to finish.
     */
    @Override
    public void close() {
        State previous = state.getAndUpdate(s -> s == State.CLOSED ? s : State.CLOSING);
        if (previous == State.CLOSING || previous == State.CLOSED) {
            if (!onSupervisorThread()) {
                closed.join();
            }
            return;
        }
        List<Manager> running = new ArrayList<>();
        for (Slot slot : slots) {
            Manager manager = slot.closing();
            if (manager != null) {
                running.add(manager);
            }
        }
        running.forEach(this::stopQuietly);
        try {
            handler.close();
        } finally {
            running.forEach(this::removeListenersQuietly);
            dispatcher.uncaughtErrorSink(null);
            state.set(State.CLOSED);
            terminated.complete(null);
            if (ownsSupervisor) {
                supervisor.shutdownNow();
            }
            closed.complete(null);
        }
    }

    // ---- supervision ----------------------------------------------------------------------------------------

    private boolean isClosing() {
        State current = state.get();
        return current == State.CLOSING || current == State.CLOSED;
    }

    private boolean onSupervisorThread() {
        return Thread.currentThread() == supervisorThread;
    }

    private void launch(Slot slot) {
        Manager manager;
        try {
            manager = Objects.requireNonNull(slot.factory.create(handler), "ManagerFactory returned null");
        } catch (Throwable failure) {
            rethrowIfFatal(failure);
            supervise(() -> finished(slot, null, failure));
            return;
        }
        if (!slot.running(manager, clock.instant(), this::isClosing)) {
            removeListenersQuietly(manager);
            return;
        }
        CompletableFuture<Void> done;
        try {
            done = manager.start();
        } catch (Throwable failure) {
            rethrowIfFatal(failure);
            done = CompletableFuture.failedFuture(failure);
        }
        done.whenComplete((ignored, failure) -> supervise(() -> finished(slot, manager, failure)));
    }

    private void supervise(Runnable task) {
        try {
            supervisor.execute(task);
        } catch (RejectedExecutionException shutDown) {
            task.run();
        }
    }

    /** A manager finished or failed (or its factory threw, {@code manager == null}): decide and act. */
    private void finished(Slot slot, Manager manager, Throwable failure) {
        if (manager != null) {
            stopQuietly(manager);
            removeListenersQuietly(manager);
        }
        Throwable cause = failure == null ? null : Manager.unwrap(failure);
        boolean wantsRestart = manager == null || shouldRestart(manager);
        Instant now = clock.instant();
        Slot.Decision decision = slot.decide(manager, cause, now, wantsRestart && policy.restarts(), policy,
                random, isClosing());
        if (decision == null) {
            return;
        }
        if (cause != null && !decision.closing()) {
            report(new PipelineError(slot.name(), cause, decision.restart(), decision.delay(), decision.restarts(), now));
        }
        if (decision.restart()) {
            try {
                slot.pending(supervisor.schedule(() -> relaunch(slot), decision.delay().toNanos(), TimeUnit.NANOSECONDS));
            } catch (RejectedExecutionException shutDown) {
                slot.closing();
            }
        }
        checkTerminated();
    }

    private void relaunch(Slot slot) {
        if (slot.rebuilding(this::isClosing)) {
            launch(slot);
        }
    }

    private boolean shouldRestart(Manager manager) {
        try {
            return manager.shouldRestart();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "shouldRestart() of manager '" + manager.name() + "' threw", e);
            return false;
        }
    }

    /** An error event nobody listened to: fail the manager that owns the processor. */
    private void onUncaught(String processorName, Throwable error) {
        for (Slot slot : slots) {
            Manager manager = slot.current();
            if (manager != null && manager.owns(processorName)) {
                manager.fail(error);
                return;
            }
        }
        supervise(() -> report(new PipelineError(processorName, error, false, Duration.ZERO, 0, clock.instant())));
    }

    private void checkTerminated() {
        for (Slot slot : slots) {
            if (!slot.state().isTerminal()) {
                return;
            }
        }
        terminated.complete(null);
    }

    private void report(PipelineError error) {
        try {
            reporter.report(error);
        } catch (Throwable failure) {
            rethrowIfFatal(failure);
            LOG.log(System.Logger.Level.WARNING, "ErrorReporter threw; the report was " + error, failure);
        }
    }

    private void stopQuietly(Manager manager) {
        try {
            manager.stop();
        } catch (Throwable failure) {
            rethrowIfFatal(failure);
            LOG.log(System.Logger.Level.WARNING, "Stopping manager '" + manager.name() + "' failed", failure);
        }
    }

    private void removeListenersQuietly(Manager manager) {
        try {
            manager.removeAllListeners();
        } catch (Throwable failure) {
            rethrowIfFatal(failure);
            LOG.log(System.Logger.Level.WARNING, "Removing listeners of manager '" + manager.name() + "' failed", failure);
        }
    }

    private static void rethrowIfFatal(Throwable failure) {
        if (failure instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    @Override
    public String toString() {
        return "Flow[" + state.get() + ", " + status() + "]";
    }

    /**
     * One managed pipeline: its factory, the manager currently built from it, and its restart bookkeeping.
     * Guarded by its own monitor; user code is never called while holding it.
     */
    private static final class Slot {
        record Decision(boolean restart, Duration delay, int restarts, boolean closing) {}

        final ManagerFactory factory;
        private String name;
        private ManagerState state = ManagerState.NEW;
        private Manager current;
        private Instant startedAt;
        private int restarts;
        private int attempt;
        private final ArrayDeque<Instant> restartTimes = new ArrayDeque<>();
        private Throwable lastError;
        private Instant lastErrorTime;
        private ScheduledFuture<?> pending;

        Slot(ManagerFactory factory, String name) {
            this.factory = factory;
            this.name = name;
        }

        synchronized String name() {
            return name;
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
                state = ManagerState.STOPPED;
                return false;
            }
            name = manager.name();
            current = manager;
            startedAt = now;
            state = ManagerState.RUNNING;
            return true;
        }

        synchronized boolean rebuilding(BooleanSupplier closing) {
            pending = null;
            if (closing.getAsBoolean()) {
                state = ManagerState.STOPPED;
                return false;
            }
            restarts++;
            return true;
        }

        synchronized void pending(ScheduledFuture<?> future) {
            pending = future;
        }

        /** The flow is closing: cancel a pending restart, mark stopped, return the running manager if any. */
        synchronized Manager closing() {
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
            if (!state.isTerminal()) {
                state = ManagerState.STOPPED;
            }
            Manager running = current;
            current = null;
            return running;
        }

        /** Decides what follows the end of {@code manager}; null if that end was already handled. */
        synchronized Decision decide(Manager manager, Throwable cause, Instant now, boolean wantsRestart,
                                     RestartPolicy policy, RandomGenerator random, boolean closing) {
            if (manager != null && current != manager) {
                return null; // already handled, or the flow closed it
            }
            current = null;
            if (closing) {
                if (!state.isTerminal()) {
                    state = ManagerState.STOPPED;
                }
                return new Decision(false, Duration.ZERO, restarts, true);
            }
            if (cause != null) {
                lastError = cause;
                lastErrorTime = now;
            }
            boolean restart = wantsRestart;
            if (restart) {
                policy.window().ifPresent(window -> {
                    Instant horizon = now.minus(window);
                    while (!restartTimes.isEmpty() && restartTimes.peekFirst().isBefore(horizon)) {
                        restartTimes.pollFirst();
                    }
                });
                restart = !policy.exhausted(restartTimes.size());
            }
            Duration delay = Duration.ZERO;
            if (restart) {
                if (startedAt != null && Duration.between(startedAt, now).compareTo(policy.resetAfter()) >= 0
                        && attempt > 0) {
                    attempt = 0;
                }
                attempt++;
                delay = policy.delay(attempt, random.nextDouble());
                restartTimes.addLast(now);
                state = ManagerState.RESTARTING;
            } else {
                state = cause == null ? ManagerState.COMPLETED : ManagerState.FAILED;
            }
            return new Decision(restart, delay, restarts, false);
        }

        synchronized ManagerStatus status() {
            return new ManagerStatus(name, state, restarts, Optional.ofNullable(lastError),
                    Optional.ofNullable(lastErrorTime));
        }
    }

    /**
     * Builds a {@link Flow}. Not thread-safe.
     */
    public static final class Builder {
        private MessageHandler handler;
        private final List<ManagerFactory> factories = new ArrayList<>();
        private RestartPolicy restartPolicy = RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));
        private ErrorReporter errorReporter = ErrorReporter.logging();
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random = new SplittableRandom();
        private ScheduledExecutorService scheduler;

        private Builder() {}

        /** The handler all managers are built on; the flow owns and closes it. Default: a new {@link AsyncDispatcher}. */
        public Builder handler(MessageHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Adds a manager, built by {@code factory} at start and at every restart. Call once per manager. */
        public Builder manager(ManagerFactory factory) {
            factories.add(Objects.requireNonNull(factory, "factory"));
            return this;
        }

        /** When failed managers are rebuilt. Default: backoff from 1 s to 1 min, without limit. */
        public Builder restartPolicy(RestartPolicy restartPolicy) {
            this.restartPolicy = Objects.requireNonNull(restartPolicy, "restartPolicy");
            return this;
        }

        /** Where failures are reported. Default: {@link ErrorReporter#logging()}. */
        public Builder errorReporter(ErrorReporter errorReporter) {
            this.errorReporter = Objects.requireNonNull(errorReporter, "errorReporter");
            return this;
        }

        /** The clock for report times, backoff resets and restart windows. Default: the UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The source of backoff jitter. Default: a new {@link SplittableRandom}. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * The scheduler supervision and restarts run on. It must run tasks one at a time (single-threaded). Not
         * shut down by the flow. Default: a thread of the flow's own, ended by {@link Flow#close()}.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Creates the flow.
         *
         * @throws IllegalStateException if no manager was added, or the handler already belongs to a flow
         */
        public Flow build() {
            if (factories.isEmpty()) {
                throw new IllegalStateException("a flow needs at least one manager: call manager(factory)");
            }
            if (handler != null && !Dispatcher.of(handler).claim()) {
                throw new IllegalStateException("handler already belongs to another flow: " + handler);
            }
            return new Flow(this);
        }
    }
}
