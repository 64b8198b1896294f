package io.pipeline.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
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
 * A manager fails when one of its sources' futures completes exceptionally, when an error event nobody listens
 * to is emitted by one of its processors, or when its factory throws. The flow then retires it (below), reports a
 * {@link PipelineError} to the {@link ErrorReporter}, and — if the manager's {@link Manager#shouldRestart()} and the
 * {@link RestartPolicy} allow — builds a fresh manager from the factory after the policy's backoff. A manager whose
 * sources finished normally is rebuilt too when
 * {@code shouldRestart()} is true, after the policy's first wait each time (a normal finish neither grows the
 * backoff nor counts towards the restart limit). A manager the flow gave up on shows as
 * {@link ManagerState#FAILED} in {@link #status()}; the rest of the flow runs on. Two managers of one flow must
 * not share a name: their events would cross.
 *
 * <p>A manager that ended — failed, finished, given up on, or left behind by a dead handler — is <em>retired</em> in
 * the order the close keeps (see <em>Close order</em>), so that nothing it accepted reaches a closed resource or a
 * topic without listeners:
 * <ol>
 *   <li>its sources are stopped, and their futures waited for: each completes once its source has no emit in
 *       progress on a thread of its own (the stop contract in {@link Source});</li>
 *   <li>the handler's delivery barrier is waited for: every message the handler had accepted by then has been
 *       handed to its listeners — an {@link AsyncDispatcher}'s queue has been delivered up to that point — and the
 *       manager's {@link AsyncListener}s have no stage in flight (under a {@link SyncDispatcher}, whose plain
 *       listeners have returned before their emit did, only those async listeners are waited for);</li>
 *   <li>the resources registered with {@link Manager#closeOnStop} are closed, then its listeners removed;</li>
 *   <li>only then is its successor built — it uses the same processor names, whose listeners step 3 removes by
 *       name. When the backoff elapses before the retirement has finished, the restart waits for it; the backoff
 *       still counts from the end.</li>
 * </ol>
 * The waits never block the supervisor: the other managers are supervised meanwhile. Each wait is bounded by
 * {@link Builder#sourceStopTimeout(Duration)} (so a retirement takes at most twice that): when it runs out, a
 * warning names the manager and each source still running, and the retirement goes on, as the close does. When
 * nothing is in flight — the usual case — the whole retirement is done at once, in the supervision task that ended
 * the manager. The report and the restart decision do not wait for it; {@link #run()} returns, once nothing will
 * restart, only after every retirement has finished (after a fatal error, at once). A close that begins meanwhile
 * retires the manager itself.
 *
 * <h2>Health</h2>
 * {@link #health()} judges the flow: {@link HealthStatus#UP} while every manager runs,
 * {@link HealthStatus#DEGRADED} while a manager failed and waits to restart or has restarted after failures
 * repeatedly within the policy's window, or a source is stalled, {@link HealthStatus#DOWN} once a manager was given
 * up on, the handler died, or the flow is not running. {@link #isHealthy()} means "not DOWN".
 *
 * <h2>Operating</h2>
 * {@link #metrics()} gives a {@link FlowMetrics} snapshot of every count the flow keeps (turned off with
 * {@link Builder#metrics(boolean)}); {@link Builder#jmx(boolean)} publishes them as MBeans under
 * {@code io.pipeline:type=Flow,name=}{@link #name()}. The <em>stall watchdog</em> runs on the supervisor: a source
 * that declares {@link Source#expectedInterval()} and emits nothing for {@link Builder#stallMultiple(double)} times
 * that (default 3) makes the health DEGRADED, naming it, and is reported once to
 * {@link ErrorReporter#stalled(SourceStall)} — or, when it or the flow asks for it
 * ({@link Source#restartWhenStalled()}, {@link Builder#restartStalledSources(boolean)}), is failed with a
 * {@link SourceStalledException} so that its manager restarts. The stall clears when the source emits again.
 * Log messages through {@link System.Logger} start with {@code [flow=… manager=… processor=…]}.
 *
 * <h2>Fatal errors</h2>
 * A {@link VirtualMachineError} that kills the handler's delivery (an {@link OutOfMemoryError} on the loop thread)
 * cannot be recovered from by restarting managers on the same handler. The flow reports it as a final
 * {@link PipelineError} for {@value #HANDLER}, gives up on every manager (each shows FAILED with that error),
 * stops them, and terminates: {@link #run()} returns and {@link #health()} is DOWN. Close the flow and build a new
 * one, or let the process die. The same happens, reported for {@value #SUPERVISOR}, when user code the supervisor
 * runs — a factory, the reporter, {@link Manager#shouldRestart()} — throws such an error.
 *
 * <h2>Lifecycle</h2>
 * NEW → RUNNING ({@link #start()}) → CLOSING → CLOSED ({@link #close()}). The flow is <em>terminated</em> once no
 * manager is running and none will be restarted, or once it is closed; {@link #run()} and
 * {@link #awaitTermination(Duration)} wait for that. The flow owns its handler and closes it.
 *
 * <h2>Close order</h2>
 * {@link #close()} loses nothing that was accepted: it
 * <ol>
 *   <li>waits for the supervisor's running task (a factory, a report) to finish and cancels pending restarts;</li>
 *   <li>stops every manager's sources, so nothing new comes in, and waits — up to
 *       {@link Builder#sourceStopTimeout(Duration)} in all — for each one's future: a source's future completes
 *       once it has no emit in progress on a thread of its own (the stop contract in {@link Source}), so a
 *       delivery still in a listener there — a time source's tick, a connector's response under a
 *       {@link SyncDispatcher} — finishes before anything is closed;</li>
 *   <li>closes the handler, which delivers everything it accepted (an {@link AsyncDispatcher} drains its queue
 *       and waits for in-flight async listeners) while every listener is still registered;</li>
 *   <li>closes the resources registered with {@link Manager#closeOnStop}, and removes every listener;</li>
 *   <li>ends the supervisor thread.</li>
 * </ol>
 * A manager built while the flow closes is stopped and its resources closed; one still being retired (see
 * <em>Supervision</em>) is retired by these steps with the running ones, its resources closed once. Called from a
 * listener on the
 * handler's loop thread, {@code close()} hands steps 1–5 to a short-lived thread {@code pipeline-flow-N-closer}
 * and returns at once (it cannot wait for the loop it runs on); called while another thread closes the flow, it
 * returns when that close has finished — at once on the loop thread, the supervisor thread, in a source's own
 * emitting work (a time source's tick or a connector's callback, under a {@link SyncDispatcher}), or inside the
 * close itself (a resource's {@code close()}), which the first close is waiting on. A close started in a source's
 * emitting work does not wait for that very delivery either: it goes on once the listener returns.
 *
 * <p>What the wait in step 2 cannot see: a source that breaks the stop contract — its {@code stop()} only raises a
 * flag, its future completes while its own thread is still in a listener — gets its resources closed under that
 * delivery (under a {@code SyncDispatcher}), and so does a source still running when the timeout ran out (a
 * warning names it). The bundled sources keep the contract.
 *
 * <p>This class is thread-safe. Supervision — reports, factories for restarts, stopping failed managers — runs
 * on one supervisor thread, {@code pipeline-flow-N-supervisor}, unless a scheduler is given to the builder; at
 * most one supervision task runs at a time, and none runs once {@code close()} has returned.
 */
public final class Flow implements AutoCloseable {
    /** The {@link PipelineError#manager()} of a fatal error of the handler itself. */
    public static final String HANDLER = "handler";
    /**
     * The {@link PipelineError#manager()} of a fatal error in supervision itself: a {@link VirtualMachineError}
     * (other than {@link StackOverflowError}) thrown by a factory, a reporter or {@code shouldRestart()}.
     */
    public static final String SUPERVISOR = "supervisor";

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger(Flow.class.getName());

    private enum State { NEW, RUNNING, CLOSING, CLOSED }

    private final int id = IDS.incrementAndGet();
    private final String name;
    private final StallWatchdog watchdog;
    private final boolean watchdogOn;
    private final long stallCheckNanos;
    /** {@link Builder#sourceStopTimeout}, saturated; {@code Long.MAX_VALUE} waits without limit. */
    private final long sourceStopNanos;
    /** Whether a watchdog check is scheduled; set and cleared on the supervisor (or by start). */
    private final AtomicBoolean watchdogArmed = new AtomicBoolean();
    /** The watchdog's step, guarded once: it is scheduled every {@code stallCheckInterval} for the flow's life. */
    private final Runnable watchdogCheck = guarded(this::checkStalls);
    private final FlowJmx jmx;
    private final MessageHandler handler;
    private final Dispatcher dispatcher;
    private final List<Slot> slots;
    private final ErrorReporter reporter;
    private final Clock clock;
    private final ScheduledExecutorService supervisor;
    private final boolean ownsSupervisor;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /**
     * Held by every supervision task while it runs (and by {@link #start()} while it builds managers), so that
     * {@link #close()} can wait for the running one. Reentrant: a task may close the flow.
     */
    private final ReentrantLock supervising = new ReentrantLock();
    private volatile Thread supervisorThread;
    /** The thread running the close sequence, while it runs. */
    private volatile Thread closingThread;
    /** The short-lived thread a close from the loop thread handed the close sequence to, if one was started. */
    private volatile Thread closerThread;
    /** The fatal error that killed the handler, once the flow has handled it. */
    private volatile Throwable fatal;
    /** The fatal error a supervision task hit, if one did. */
    private volatile Throwable supervisionFatal;

    /** What a {@link Retirement} needs of this flow: its supervisor, its closing state, its quiet steps. */
    private final Retirement.Supervision retirementSupervision = new Retirement.Supervision() {
        @Override
        public void execute(Runnable task) {
            supervise(task);
        }

        @Override
        public java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, long nanos) {
            try {
                return supervisor.schedule(guarded(task), nanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException shutDown) {
                return null; // closing: the close retires the manager
            }
        }

        @Override
        public boolean closing() {
            return isClosing();
        }

        @Override
        public void quietly(Manager manager, String what, Runnable step) {
            Flow.this.quietly(manager, what, step);
        }
    };

    private Flow(Builder builder) {
        this.handler = builder.handler != null ? builder.handler : new AsyncDispatcher();
        this.dispatcher = Dispatcher.of(handler);
        this.name = builder.name != null ? builder.name : "flow-" + id;
        this.reporter = builder.errorReporter == LoggingErrorReporter.INSTANCE ? new LoggingErrorReporter(name)
                : builder.errorReporter;
        this.clock = builder.clock;
        dispatcher.metrics(builder.metrics);
        dispatcher.timeDirectCalls(builder.timeDirectCalls);
        this.watchdog = new StallWatchdog(builder.stallMultiple, builder.restartStalledSources);
        this.watchdogOn = builder.stallWatchdog && builder.metrics; // it reads the sources' emit counts
        this.stallCheckNanos = builder.stallCheckInterval.toNanos();
        this.sourceStopNanos = saturatedNanos(builder.sourceStopTimeout);
        this.jmx = builder.jmx ? new FlowJmx(name, this::metrics, this::health, this::managerMetrics) : null;
        if (builder.scheduler != null) {
            this.supervisor = builder.scheduler;
            this.ownsSupervisor = false;
        } else {
            String threadName = "pipeline-flow-" + id + "-supervisor";
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
            list.add(new Slot(factory, "manager-" + (list.size() + 1),
                    new RestartTracker(builder.restartPolicy, builder.random)));
        }
        this.slots = List.copyOf(list);
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** This flow's name: {@code Builder.name}, default {@code flow-N}. It names the flow's MBeans and metrics. */
    public String name() {
        return name;
    }

    /**
     * A snapshot of everything this flow counts (see {@link FlowMetrics}): the handler's queue, each manager's
     * state, restarts, last start, last error and last message, each processor's emits, deliveries, listener
     * failures, dead events and sampled listener time, and each source's own counters and stall state. Cheap
     * enough to call every few seconds; it takes no lock on the emit path. Thread-safe.
     */
    public FlowMetrics metrics() {
        return Metering.snapshot(name, clock.instant(), dispatcher, slots, watchdog);
    }

    /**
     * The metrics of the manager named {@code name} alone, if the flow has one: what {@code metrics().manager(name)}
     * gives, at the cost of that one manager rather than of the whole flow — for readers that look at one manager at
     * a time, such as a meter registry reading one meter after the other. Thread-safe.
     */
    public Optional<ManagerMetrics> managerMetrics(String name) {
        Objects.requireNonNull(name, "name");
        Slot slot = slotNamed(name);
        return slot == null ? Optional.empty()
                : Optional.of(Metering.manager(slot, dispatcher, watchdog, clock.instant()));
    }

    /**
     * The slots by the names of their managers, rebuilt when a look-up misses or finds a slot renamed since (a
     * rebuilt manager may take another name): a slot's name changes rarely, and looking one up is then O(1).
     */
    private volatile java.util.Map<String, Slot> slotsByName = java.util.Map.of();

    private Slot slotNamed(String name) {
        Slot slot = slotsByName.get(name);
        if (slot != null && slot.name().equals(name)) {
            return slot;
        }
        java.util.Map<String, Slot> index = new java.util.HashMap<>();
        for (Slot each : slots) {
            index.putIfAbsent(each.name(), each); // the first, as FlowMetrics.manager(name) finds it
        }
        slotsByName = index;
        return index.get(name);
    }

    /** The handler every manager of this flow is built on. */
    public MessageHandler handler() {
        return handler;
    }

    /**
     * Builds and wires every manager, then starts their sources, which run in the background. A factory that
     * throws is handled like a failed manager.
     *
     * @throws IllegalStateException if the flow was already started or closed, or if two managers have the same
     *                               name (the flow is then closed: every manager built is stopped)
     */
    public void start() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("flow already " + (isClosing() ? "closed" : "started"));
        }
        startManagers();
    }

    /** The work of {@link #start()}, once this thread has moved the flow from NEW to RUNNING. */
    private void startManagers() {
        dispatcher.uncaughtErrorSink(this::onUncaught);
        dispatcher.fatalErrorSink(this::onFatal);
        if (jmx != null) {
            try {
                jmx.registerFlow();
            } catch (IllegalStateException taken) {
                close();
                throw taken;
            }
        }
        IllegalStateException duplicate;
        supervising.lock();
        try {
            Manager[] built = new Manager[slots.size()];
            Throwable[] failures = new Throwable[slots.size()];
            for (int i = 0; i < built.length; i++) {
                try {
                    built[i] = build(slots.get(i));
                } catch (Throwable failure) {
                    rethrowIfFatal(failure);
                    failures[i] = failure;
                }
            }
            duplicate = duplicateName(built);
            if (duplicate == null) {
                for (int i = 0; i < built.length; i++) {
                    Slot slot = slots.get(i);
                    if (built[i] != null) {
                        run(slot, built[i]);
                    } else {
                        Throwable failure = failures[i];
                        supervise(() -> finished(slot, null, failure));
                    }
                }
                return;
            }
            for (Manager manager : built) {
                if (manager != null) {
                    stopQuietly(manager);
                    removeListenersQuietly(manager);
                }
            }
        } finally {
            supervising.unlock();
        }
        close();
        throw duplicate;
    }

    private static IllegalStateException duplicateName(Manager[] built) {
        for (int i = 0; i < built.length; i++) {
            for (int j = 0; j < i; j++) {
                if (built[i] != null && built[j] != null && built[i].name().equals(built[j].name())) {
                    return new IllegalStateException("two managers of one flow are named '" + built[i].name()
                            + "' (managers " + (j + 1) + " and " + (i + 1) + "): their events would cross");
                }
            }
        }
        return null;
    }

    /**
     * Starts the flow if it is new, then blocks until it is terminated: no manager running and none to be
     * restarted, or the flow closed. Returns early, with the interrupt flag set, if the thread is interrupted.
     */
    public void run() {
        if (state.compareAndSet(State.NEW, State.RUNNING)) {
            startManagers(); // one check-and-set: a second thread calling run() at the same time just waits
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
     * Waits up to {@code timeout} for the flow to terminate. Any duration works, up to
     * {@link java.time.temporal.ChronoUnit#FOREVER} (waits without limit); zero or negative only checks.
     *
     * @return whether it terminated; {@code false} on timeout or interrupt (the flag is then kept)
     */
    public boolean awaitTermination(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            if (timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0) {
                terminated.get();
            } else if (timeout.isNegative() || timeout.isZero()) {
                terminated.get(0, TimeUnit.NANOSECONDS); // also beyond -Long.MAX_VALUE ns, which toNanos() cannot take
            } else {
                terminated.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
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

    /**
     * Judges the flow's health now (see the class comment): {@link HealthStatus#DOWN} if the flow is not running
     * (new, closing, closed or terminated), the handler died, or a manager was given up on;
     * {@link HealthStatus#DEGRADED} if a manager failed and waits to restart, or restarted after failures
     * repeatedly (twice or more) within the restart policy's window (its {@code withMaxRestarts} window, else its
     * reset time), or the stall watchdog finds a source stalled; {@link HealthStatus#UP} otherwise.
     * {@link Health#details()} names each manager and source that is not running well and why.
     */
    public Health health() {
        List<ManagerStatus> managers = status();
        List<String> down = new ArrayList<>();
        State current = state.get();
        if (current != State.RUNNING) {
            down.add("flow is " + current.name().toLowerCase(java.util.Locale.ROOT));
        }
        Throwable died = fatal != null ? fatal : dispatcher.fatalError();
        if (died != null) {
            down.add("handler died: " + died);
        } else if (current == State.RUNNING && handler.isClosed()) {
            down.add("handler is closed (closed directly, not by closing the flow): nothing can be delivered");
        }
        Throwable supervisionDied = supervisionFatal;
        if (supervisionDied != null) {
            down.add("supervision died: " + supervisionDied);
        }
        for (ManagerStatus manager : managers) {
            if (manager.isFailed()) {
                down.add("manager '" + manager.name() + "' was given up on after " + manager.restarts()
                        + " restarts" + manager.lastError().map(e -> ": " + e).orElse(""));
            }
        }
        if (down.isEmpty() && isTerminated()) {
            down.add("flow terminated: no manager runs or will restart");
        }
        if (!down.isEmpty()) {
            return new Health(HealthStatus.DOWN, String.join("; ", down), managers);
        }
        Instant now = clock.instant();
        List<String> degraded = new ArrayList<>();
        for (Slot slot : slots) {
            String why = slot.degradation(now);
            if (why != null) {
                degraded.add(why);
            }
        }
        for (SourceStall stall : watchdog.stalls()) {
            degraded.add(stall.describe());
        }
        if (!degraded.isEmpty()) {
            return new Health(HealthStatus.DEGRADED, String.join("; ", degraded), managers);
        }
        return new Health(HealthStatus.UP, "all " + managers.size() + " managers running", managers);
    }

    /**
     * Whether the flow serves: its {@link #health()} is not {@link HealthStatus#DOWN} (UP or DEGRADED). False
     * before {@link #start()}, after {@link #close()}, once terminated, once the handler died, and once a manager
     * has been given up on.
     */
    public boolean isHealthy() {
        return health().status() != HealthStatus.DOWN;
    }

    /**
     * Closes the flow gracefully, in the order the class comment gives: sources first (waiting, up to
     * {@link Builder#sourceStopTimeout(Duration)}, until each has no emit in progress — see {@link Source}), then the
     * handler's delivery of everything it accepted, then the managers' resources and listeners, then the supervisor.
     * Idempotent; a concurrent caller waits for the first to finish (except where that would deadlock, see the
     * class comment).
     */
    @Override
    public void close() {
        State previous = state.getAndUpdate(s -> s == State.CLOSED ? s : State.CLOSING);
        if (previous == State.CLOSING || previous == State.CLOSED) {
            if (!closeWaitsOnThisThread()) {
                closed.join();
                joinLeftoverThreads();
            }
            return;
        }
        if (onLoopThread()) {
            Thread closer = new Thread(this::closeInOrder, "pipeline-flow-" + id + "-closer");
            closingThread = closer;
            closerThread = closer;
            closer.start();
            return;
        }
        closeInOrder();
    }

    /**
     * For a caller of {@link #close()} that waited for another's close: the threads that close could not wait for
     * — the closer thread, the supervisor thread when the close ran on it (from a reporter) — end soon after it;
     * wait for them, so that no thread of the flow outlives this call either.
     */
    private void joinLeftoverThreads() {
        boolean interrupted = false;
        for (Thread thread : new Thread[] {closerThread, ownsSupervisor ? supervisorThread : null}) {
            while (thread != null && thread != Thread.currentThread() && thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the close in progress may be waiting for this thread, so that it must not wait in turn. */
    private boolean closeWaitsOnThisThread() {
        Thread current = Thread.currentThread();
        return supervising.isHeldByCurrentThread() || current == supervisorThread || onLoopThread()
                || current == closingThread || Source.emittingOnAnySource();
    }

    private boolean onLoopThread() {
        return dispatcher.onDeliveryThread();
    }

    private void closeInOrder() {
        closingThread = Thread.currentThread();
        List<Manager> running = new ArrayList<>();
        try {
            awaitSupervisionTask();
            for (Slot slot : slots) {
                Retirement retiring = slot.takeRetirement(); // an ended manager still retiring: retired here
                Manager ended = retiring == null ? null : retiring.takeOver();
                if (ended != null) {
                    running.add(ended);
                }
                Manager manager = slot.closing();
                if (manager != null) {
                    running.add(manager);
                }
            }
            running.forEach(this::stopSourcesQuietly);
            awaitSourcesStopped(running);
            running.forEach(this::awaitSourcesIdleQuietly);
        } finally {
            try {
                handler.close();
            } finally {
                running.forEach(this::closeResourcesQuietly);
                running.forEach(this::removeListenersQuietly);
                dispatcher.uncaughtErrorSink(null);
                dispatcher.fatalErrorSink(null);
                if (jmx != null) {
                    jmx.unregisterAll();
                }
                state.set(State.CLOSED);
                terminated.complete(null);
                awaitSupervisionTask(); // one that began before CLOSED was set; later ones do nothing
                endSupervisor();
                closingThread = null;
                closed.complete(null);
            }
        }
    }

    /**
     * Step 2 of the close: waits, up to {@link Builder#sourceStopTimeout} in all, for every stopped source's future,
     * which completes once the source has no emit in progress (the stop contract in {@link Source}). A source whose
     * emitting work this thread is in (a listener closing the flow) is not waited for: it goes on when close
     * returns. Not interruptible; the flag is kept.
     */
    private void awaitSourcesStopped(List<Manager> managers) {
        long deadline = sourceStopNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + sourceStopNanos;
        boolean interrupted = false;
        for (Manager manager : managers) {
            for (Source source : manager.sources()) {
                if (source.emittingOnThisThread()) {
                    continue;
                }
                CompletableFuture<Void> future = source.running();
                while (!future.isDone()) {
                    long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
                    if (left <= 0) {
                        LOG.log(System.Logger.Level.WARNING, LogContext.of(name, manager.name(), source.name())
                                + "Source '" + source.name() + "' is still running " + Duration.ofNanos(sourceStopNanos)
                                + " after stop(); closing the resources of manager '" + manager.name()
                                + "' anyway (a delivery of it may still be in a listener)");
                        break;
                    }
                    try {
                        future.get(left, TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
                        // done, or the deadline: looked at above
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException beyondLong) {
            return Long.MAX_VALUE;
        }
    }

    /** Waits until no supervision task runs; later ones see the flow closing and do nothing. */
    private void awaitSupervisionTask() {
        supervising.lock();
        supervising.unlock();
    }

    private void endSupervisor() {
        if (!ownsSupervisor) {
            return;
        }
        supervisor.shutdownNow();
        if (Thread.currentThread() == supervisorThread) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                if (supervisor.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        // A terminated executor's last worker may still be on its way out: no thread outlives close().
        Thread thread = supervisorThread;
        while (thread != null && thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- supervision ----------------------------------------------------------------------------------------

    private boolean isClosing() {
        State current = state.get();
        return current == State.CLOSING || current == State.CLOSED;
    }

    private Manager build(Slot slot) {
        Manager manager = Objects.requireNonNull(slot.factory.create(handler), "ManagerFactory returned null");
        if (manager.handler() != handler) {
            stopQuietly(manager); // never started: closes what it registered
            throw new IllegalStateException("manager '" + manager.name() + "' was built on another handler ("
                    + manager.handler() + ") than its flow's (" + handler + "): build it on the handler the factory"
                    + " is given, or the flow can neither see its errors nor drain it on close");
        }
        return manager;
    }

    /** Builds a manager for {@code slot} and starts it: at start and at every restart. */
    private void launch(Slot slot) {
        Manager manager;
        try {
            manager = build(slot);
        } catch (Throwable failure) {
            rethrowIfFatal(failure);
            finished(slot, null, failure);
            return;
        }
        String taken = nameTakenByAnother(slot, manager.name());
        if (taken != null) {
            stopQuietly(manager);
            removeListenersQuietly(manager);
            giveUp(slot, new IllegalStateException("two managers of one flow are named '" + taken
                    + "': the rebuilt manager of " + slot.name() + " is given up on (their events would cross)"));
            return;
        }
        run(slot, manager);
    }

    private String nameTakenByAnother(Slot slot, String name) {
        for (Slot other : slots) {
            if (other != slot && other.managerName().filter(name::equals).isPresent()) {
                return name;
            }
        }
        return null;
    }

    /** Records {@code manager} as the slot's running one and starts it; stops it at once if the flow closes. */
    private void run(Slot slot, Manager manager) {
        if (!slot.running(manager, clock.instant(), this::isClosing)) {
            stopQuietly(manager); // built while the flow closes: nothing was started, close its resources
            removeListenersQuietly(manager);
            return;
        }
        if (jmx != null) {
            try {
                jmx.registerManager(manager.name(), manager.ownedNames());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, LogContext.of(name, manager.name(), null)
                        + "Registering the MBeans of manager '" + manager.name() + "' failed", e);
            }
        }
        for (Source source : manager.sources()) {
            source.runBy(name, clock);
        }
        CompletableFuture<Void> done;
        try {
            done = manager.start();
        } catch (Throwable failure) {
            rethrowIfFatal(failure);
            done = CompletableFuture.failedFuture(failure);
        }
        done.whenComplete((ignored, failure) -> supervise(() -> finished(slot, manager, failure)));
        armWatchdog();
    }

    // ---- stall watchdog ------------------------------------------------------------------------------------

    /** Schedules a watchdog check unless one is scheduled or no running source declares an interval. */
    private void armWatchdog() {
        if (!watchdogOn || isClosing() || !StallWatchdog.watches(slots) || !watchdogArmed.compareAndSet(false, true)) {
            return;
        }
        try {
            supervisor.schedule(watchdogCheck, stallCheckNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shutDown) {
            watchdogArmed.set(false);
        }
    }

    /** One watchdog step on the supervisor: report new stalls, fail the sources that restart, re-arm. */
    private void checkStalls() {
        watchdogArmed.set(false);
        if (isClosing()) {
            return;
        }
        for (StallWatchdog.Finding finding : watchdog.check(clock.instant(), slots)) {
            if (finding.restart()) {
                finding.source().stalled(new SourceStalledException(finding.stall()));
            } else {
                reportStall(finding.stall());
            }
        }
        armWatchdog();
    }

    private void reportStall(SourceStall stall) {
        try {
            reporter.stalled(stall);
        } catch (Throwable failure) {
            rethrowIfFatal(failure);
            LOG.log(System.Logger.Level.WARNING, LogContext.of(name, stall.manager(), stall.source())
                    + "ErrorReporter threw on " + stall, failure);
        }
    }

    /** Runs {@code task} on the supervisor, {@linkplain #guarded guarded}. */
    private void supervise(Runnable task) {
        Runnable guarded = guarded(task);
        try {
            supervisor.execute(guarded);
        } catch (RejectedExecutionException shutDown) {
            if (!isClosing()) {
                guarded.run(); // the caller's own scheduler was shut down under a running flow
            }
        }
    }

    /**
     * {@code task} as every supervision task runs: holding {@link #supervising}, doing nothing once the flow is
     * closed, and logging a throw instead of letting it vanish into the scheduler's future.
     */
    private Runnable guarded(Runnable task) {
        return () -> {
            supervising.lock();
            try {
                if (state.get() != State.CLOSED) {
                    task.run();
                }
            } catch (Throwable failure) {
                if (isFatal(failure)) {
                    supervisionDied(failure);
                    throw (VirtualMachineError) failure;
                }
                LOG.log(System.Logger.Level.ERROR, LogContext.of(name, null, null) + "A supervision task of " + this + " failed", failure);
            } finally {
                supervising.unlock();
            }
        };
    }

    /**
     * A supervision task hit a fatal error (a factory, reporter or {@code shouldRestart()} threw an
     * {@link OutOfMemoryError}, say): the JVM is in doubt, so the flow ends as when the handler dies — every
     * manager given up on and stopped, one final report for {@value #SUPERVISOR}, terminated, DOWN — instead of
     * leaving a manager in limbo, waiting for a restart that the lost task would have made.
     */
    private void supervisionDied(Throwable error) {
        supervisionFatal = error;
        if (isClosing()) {
            return;
        }
        try {
            Instant now = clock.instant();
            for (Slot slot : slots) {
                Manager running = slot.gaveUp(error, now);
                if (running != null) {
                    stopQuietly(running);
                    removeListenersQuietly(running);
                }
            }
            report(new PipelineError(SUPERVISOR, error, false, Duration.ZERO, 0, now));
        } catch (Throwable again) {
            error.addSuppressed(again); // the reporter itself may be what fails: the flow still terminates
        } finally {
            terminated.complete(null);
        }
    }

    /**
     * A manager finished or failed (or its factory threw, {@code manager == null}): decide and act. Once the flow
     * is closing, {@link #close()} handles every manager, so nothing is done here — above all, no listener is
     * removed while the handler still delivers. A throw while deciding fails the slot.
     */
    private void finished(Slot slot, Manager manager, Throwable failure) {
        if (isClosing() || (manager != null && !slot.claimEnd(manager, this::isClosing))) {
            if (failure != null && isClosing()) {
                Throwable cause = Manager.unwrap(failure);
                LOG.log(System.Logger.Level.WARNING, LogContext.of(name, slot.name(), processorOf(manager, cause))
                        + "Manager of " + slot.name() + " failed while the flow closes", cause);
            }
            return;
        }
        try {
            if (manager != null) {
                retire(slot, manager); // done at once unless a source or a delivery is still in progress
            }
            Throwable cause = failure == null ? null : Manager.unwrap(failure);
            boolean wantsRestart = manager == null || shouldRestart(manager);
            Instant now = clock.instant();
            Slot.Outcome outcome = slot.decide(now, cause, wantsRestart);
            if (outcome.restart()) {
                schedule(slot, outcome.delay()); // first: whatever the reporter does, the restart stands
            }
            if (cause != null) {
                report(new PipelineError(slot.name(), cause, outcome.restart(), outcome.delay(), outcome.restarts(),
                        now, processorOf(manager, cause)));
            }
            checkTerminated(); // last: run() returns only after the final report
        } catch (Throwable decisionFailure) {
            rethrowIfFatal(decisionFailure);
            giveUp(slot, new IllegalStateException("supervision of manager '" + slot.name() + "' failed",
                    decisionFailure));
        }
    }

    /**
     * The processor a manager's failure came from: the one its cause names, else the source that failed or the
     * processor whose uncaught error event failed it.
     */
    private static String processorOf(Manager manager, Throwable cause) {
        String named = cause == null ? null : LogContext.processorOf(cause);
        return named != null || manager == null ? named : manager.failedProcessor();
    }

    private void schedule(Slot slot, Duration delay) {
        long nanos;
        try {
            nanos = delay.toNanos();
        } catch (ArithmeticException beyondLong) {
            nanos = Long.MAX_VALUE;
        }
        try {
            slot.pending(supervisor.schedule(guarded(() -> relaunch(slot)), nanos, TimeUnit.NANOSECONDS));
        } catch (RejectedExecutionException shutDown) {
            if (!isClosing()) {
                throw shutDown;
            }
        }
    }

    /** Gives up on {@code slot} because of {@code cause}: FAILED, stopped, reported as final. */
    private void giveUp(Slot slot, Throwable cause) {
        Instant now = clock.instant();
        Manager running = slot.gaveUp(cause, now);
        if (running != null) {
            retire(slot, running);
        }
        report(new PipelineError(slot.name(), cause, false, Duration.ZERO, slot.restarts(), now));
        checkTerminated();
    }

    /** The backoff has elapsed: build the successor, once the ended manager's retirement has finished. */
    private void relaunch(Slot slot) {
        if (slot.relaunchWaitsForRetirement()) {
            return; // retired(...) relaunches
        }
        if (slot.rebuilding(this::isClosing)) {
            launch(slot);
        }
    }

    /**
     * Retires {@code manager}, which ended (claimed, or given up on), in the close's order (see {@link Retirement}):
     * sources, their emits in progress, the handler's delivery barrier, resources, listeners. On the supervisor;
     * returns at once, before the retirement finishes if it has to wait.
     */
    private void retire(Slot slot, Manager manager) {
        Retirement retirement = new Retirement(name, manager, dispatcher, sourceStopNanos, retirementSupervision,
                done -> retired(slot, done));
        slot.retiring(retirement);
        retirement.begin();
    }

    /** A retirement finished (on the supervisor): make the restart that came due meanwhile, if one did. */
    private void retired(Slot slot, Retirement retirement) {
        if (slot.retired(retirement) && !isClosing()) {
            relaunch(slot);
        }
        checkTerminated();
    }

    private boolean shouldRestart(Manager manager) {
        try {
            return manager.shouldRestart();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, LogContext.of(name, manager.name(), null)
                    + "shouldRestart() of manager '" + manager.name() + "' threw", e);
            return false;
        }
    }

    /** The name of the manager that owns (or owned last) {@code processorName}, or null. */
    private String ownerOf(String processorName) {
        for (Slot slot : slots) {
            Manager built = slot.built();
            if (built != null && built.owns(processorName)) {
                return built.name();
            }
        }
        return null;
    }

    /** An error event nobody listened to: fail the manager that owns the processor. */
    private void onUncaught(String processorName, Throwable error) {
        for (Slot slot : slots) {
            Manager manager = slot.current();
            if (manager != null && manager.owns(processorName)) {
                manager.fail(error, processorName);
                return;
            }
        }
        if (isClosing()) {
            LOG.log(System.Logger.Level.ERROR, LogContext.of(name, ownerOf(processorName), processorName)
                    + "Uncaught error event of processor '" + processorName
                    + "' while " + this + " closes", error);
            return;
        }
        supervise(() -> report(new PipelineError(processorName, error, false, Duration.ZERO, 0, clock.instant(),
                processorName)));
    }

    /** The handler died of {@code error} (called once, on the thread that hit it): hand it to the supervisor. */
    private void onFatal(Throwable error) {
        fatal = error;
        supervise(() -> handlerDied(error));
    }

    private void handlerDied(Throwable error) {
        if (isClosing()) {
            return;
        }
        Instant now = clock.instant();
        for (Slot slot : slots) {
            Manager running = slot.gaveUp(error, now);
            if (running != null) {
                retire(slot, running); // a dead handler's barrier is passed at once: only the sources are waited for
            }
        }
        report(new PipelineError(HANDLER, error, false, Duration.ZERO, 0, now));
        terminated.complete(null);
    }

    private void checkTerminated() {
        for (Slot slot : slots) {
            if (!slot.state().isTerminal() || slot.isRetiring()) {
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
            String context = LogContext.of(name, error.manager(), error.processor());
            LOG.log(System.Logger.Level.WARNING, context + "ErrorReporter threw; the report was " + error, failure);
        }
    }

    private void stopQuietly(Manager manager) {
        quietly(manager, "Stopping", manager::stop);
    }

    private void awaitSourcesIdleQuietly(Manager manager) {
        quietly(manager, "Waiting for the sources of", manager::awaitSourcesIdle);
    }

    private void stopSourcesQuietly(Manager manager) {
        quietly(manager, "Stopping the sources of", manager::stopSources);
    }

    private void closeResourcesQuietly(Manager manager) {
        quietly(manager, "Closing the resources of", manager::closeResources);
    }

    private void removeListenersQuietly(Manager manager) {
        quietly(manager, "Removing listeners of", manager::removeAllListeners);
    }

    private void quietly(Manager manager, String what, Runnable step) {
        try {
            step.run();
        } catch (Throwable failure) {
            rethrowIfFatal(failure);
            LOG.log(System.Logger.Level.WARNING, LogContext.of(name, manager.name(), null) + what + " manager '"
                    + manager.name() + "' failed", failure);
        }
    }

    /**
     * Rethrows a {@link VirtualMachineError} that leaves the JVM in doubt. A {@link StackOverflowError} is not one
     * once the stack has unwound to here: user code (a factory, a reporter) that overflowed is handled like any
     * failure.
     */
    private static void rethrowIfFatal(Throwable failure) {
        if (isFatal(failure)) {
            throw (VirtualMachineError) failure;
        }
    }

    private static boolean isFatal(Throwable failure) {
        return failure instanceof VirtualMachineError && !(failure instanceof StackOverflowError);
    }

    @Override
    public String toString() {
        return "Flow[" + state.get() + ", " + status() + "]";
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
        private String name;
        private boolean metrics = true;
        private boolean timeDirectCalls;
        private boolean jmx;
        private boolean stallWatchdog = true;
        private double stallMultiple = 3;
        private Duration stallCheckInterval = Duration.ofSeconds(1);
        private static final Duration MIN_STALL_CHECK_INTERVAL = Duration.ofMillis(1);
        private boolean restartStalledSources;
        private Duration sourceStopTimeout = Duration.ofSeconds(DEFAULT_SOURCE_STOP_TIMEOUT_SECONDS);

        private Builder() {}

        /**
         * The flow's name, for its MBeans ({@code io.pipeline:type=Flow,name=…}), metrics and logs. Default
         * {@code flow-N}.
         *
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("flow name is blank");
            }
            this.name = name;
            return this;
        }

        /**
         * Whether the flow counts messages per processor and event ({@link Flow#metrics()}). Default {@code true};
         * off, every processor count stays 0 and the emit path skips the counters. Applies to the processors built
         * by this flow's managers.
         */
        public Builder metrics(boolean enabled) {
            this.metrics = enabled;
            return this;
        }

        /**
         * Whether listener time ({@link ListenerTime}, one delivery in 1024) is sampled also for the listeners a
         * {@link SyncDispatcher} calls directly — an event with one plain listener, the usual link of a synchronous
         * chain. Default {@code false}: such a delivery is counted, and timed only the first time; every other
         * delivery is sampled as always. On, it costs a synchronous chain of trivial listeners about 40 % of its
         * speed (docs/BENCHMARKS.md), nothing measurable for listeners that do real work. Needs {@link
         * #metrics(boolean) metrics}; applies to the processors built by this flow's managers.
         */
        public Builder timeDirectCalls(boolean enabled) {
            this.timeDirectCalls = enabled;
            return this;
        }

        /**
         * Whether {@link Flow#start()} registers MBeans on the platform MBean server: {@code io.pipeline:type=Flow,
         * name=<flow>}, {@code …,manager=<manager>} and {@code …,manager=<manager>,processor=<processor>};
         * {@link Flow#close()} unregisters them. Default {@code false}. Give each flow of a JVM its own
         * {@link #name(String)}: starting a second flow of the same name throws.
         */
        public Builder jmx(boolean enabled) {
            this.jmx = enabled;
            return this;
        }

        /**
         * Whether the stall watchdog runs. Default {@code true}; it has work only while a running source declares
         * {@link Source#expectedInterval()}.
         */
        public Builder stallWatchdog(boolean enabled) {
            this.stallWatchdog = enabled;
            return this;
        }

        /**
         * How many expected intervals a source may stay silent before the watchdog finds it stalled. Default 3.
         *
         * @throws IllegalArgumentException if {@code multiple} is below 1, infinite or NaN
         */
        public Builder stallMultiple(double multiple) {
            if (!(multiple >= 1) || Double.isInfinite(multiple)) {
                throw new IllegalArgumentException("stallMultiple must be a finite number >= 1: " + multiple);
            }
            this.stallMultiple = multiple;
            return this;
        }

        /**
         * How often the watchdog looks, on the supervisor. Default 1 s.
         *
         * @throws IllegalArgumentException if under a millisecond (a watchdog looking that often would keep a core
         *     busy) or over a day
         */
        public Builder stallCheckInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.compareTo(MIN_STALL_CHECK_INTERVAL) < 0 || interval.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("stallCheckInterval must be between 1 ms and a day: " + interval);
            }
            this.stallCheckInterval = interval;
            return this;
        }

        /**
         * Whether a stalled source is failed — its cause a {@link SourceStalledException} — so that its manager
         * restarts, for every source of the flow. Default {@code false}: the stall is reported to
         * {@link ErrorReporter#stalled} and the flow is DEGRADED until the source emits again. A source can ask for
         * the restart itself ({@link Source#restartWhenStalled()}).
         */
        public Builder restartStalledSources(boolean enabled) {
            this.restartStalledSources = enabled;
            return this;
        }

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
         * How long {@link Flow#close()} waits, in all, for the stopped sources' futures — each completes once its
         * source has no emit in progress (see the stop contract in {@link Source}) — before it closes the
         * managers' resources anyway, logging a warning that names each source still running. Retiring a manager
         * that ended while the flow runs (see the class comment) waits as long, at most, for its sources, and as long
         * again for the handler's delivery of what it accepted. Default
         * {@value #DEFAULT_SOURCE_STOP_TIMEOUT_SECONDS} s; any positive duration up to
         * {@link java.time.temporal.ChronoUnit#FOREVER} (waits without limit). Real (monotonic) time, not the
         * flow's clock — for a retirement, the time of the supervisor's scheduler, which is real time unless
         * {@link #scheduler(ScheduledExecutorService)} gave the flow one of virtual time.
         *
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder sourceStopTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("sourceStopTimeout must be positive: " + timeout);
            }
            this.sourceStopTimeout = timeout;
            return this;
        }

        /** The default of {@link #sourceStopTimeout(Duration)}, in seconds. */
        public static final int DEFAULT_SOURCE_STOP_TIMEOUT_SECONDS = 10;

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
