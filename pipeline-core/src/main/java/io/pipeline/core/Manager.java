package io.pipeline.core;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Wires one pipeline from top to bottom: creates a {@link Source} and the processors that consume it, and
 * connects their events. Subclasses do the wiring in their constructor; a {@link Flow} builds managers from a
 * {@link ManagerFactory}, starts them, and builds a fresh one when a manager fails.
 *
 * <pre>{@code
 * final class YahooManager extends Manager {
 *     YahooManager(MessageHandler handler) {
 *         super("yahoo_apple", handler);
 *         var source = new YahooRestSource(processorName("source"), handler, "AAPL");
 *         var processor = new HandleRawData(processorName("processor"), handler);
 *         var writer = closeOnStop(new CsvOutput<>(processorName("writer"), handler, path, Quote.class));
 *         source.on(RestSource.DATA, processor::handle);
 *         processor.on(HandleRawData.PRICE, writer::write);
 *         setSource(source);
 *     }
 * }
 * }</pre>
 *
 * <p>Processors belong to the manager when their names were handed out by this manager's
 * {@link #processorName(String)}, and its sources belong to it; that is how {@link #removeAllListeners()} and the
 * flow's error attribution find them. Ownership is by those exact names, not by prefix: a manager named {@code m}
 * does not own the processors of a manager named {@code m.sub}.
 *
 * <h2>Fan-in</h2>
 * A manager may run several sources — one {@code RestSource} per location feeding one analytics chain: call
 * {@link #setSource(Source)} for the first and {@link #addSource(Source)} for each further one. The manager runs
 * while any of its sources runs, completes when all finished normally, fails as soon as one fails, and
 * {@link #stop()} stops all of them.
 *
 * <p>Lifecycle: NEW → RUNNING ({@link #start()}) → DONE (every source finished, one failed, or {@link #stop()}
 * was called). Thread-safe.
 */
public abstract class Manager {
    private final String name;
    private final MessageHandler handler;
    private final Dispatcher dispatcher;
    private final CompletableFuture<Void> completion = new CompletableFuture<>();
    /** The first failure, set by whoever then fails {@link #completion} ({@link #failedProcessor()}). */
    private final AtomicReference<Failure> failure = new AtomicReference<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean sourcesStopped = new AtomicBoolean();
    private final AtomicBoolean resourcesClosed = new AtomicBoolean();
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    /** The sources, the first set by {@link #setSource}; guarded by {@code this} for writes. */
    private final List<Source> sources = new CopyOnWriteArrayList<>();
    private final List<Source> sourcesView = Collections.unmodifiableList(sources);
    /** Every name {@link #processorName} handed out. */
    private final Set<String> processorNames = ConcurrentHashMap.newKeySet();

    /**
     * Creates a manager.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    protected Manager(String name, MessageHandler handler) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("manager name is blank");
        }
        this.name = name;
        this.handler = handler;
        this.dispatcher = Dispatcher.of(handler);
    }

    /** This manager's name. */
    public final String name() {
        return name;
    }

    /** The handler this manager's processors use. */
    public final MessageHandler handler() {
        return handler;
    }

    /**
     * The name for one of this manager's processors: {@code name() + "." + local}. Until this manager starts, the
     * name is held in the handler's {@link StartGate}: work its processor defers there runs when {@link #start()}
     * is called.
     */
    protected String processorName(String local) {
        Objects.requireNonNull(local, "local");
        if (local.isBlank()) {
            throw new IllegalArgumentException("local processor name is blank");
        }
        String processorName = name + "." + local;
        processorNames.add(processorName);
        dispatcher.startGate().hold(processorName, this);
        if (started.get()) {
            dispatcher.startGate().open(this); // named after start (or while starting): not held back
        }
        return processorName;
    }

    /**
     * Sets the source {@link #start()} runs. Call it once, in the constructor; add further sources with
     * {@link #addSource(Source)}.
     *
     * @throws IllegalStateException if a source is already set, or the manager has started
     */
    protected void setSource(Source source) {
        Objects.requireNonNull(source, "source");
        synchronized (this) {
            if (!sources.isEmpty()) {
                throw new IllegalStateException("manager '" + name + "' already has a source: " + sources.get(0).name()
                        + " (use addSource for more)");
            }
            add(source);
        }
    }

    /**
     * Adds one more source (fan-in): the manager runs while any source runs, fails when any fails, and stops all
     * of them. The first source added, by this method or {@link #setSource(Source)}, is {@link #source()}. Call it
     * in the constructor.
     *
     * @throws IllegalStateException if this source was already added, or the manager has started
     */
    protected void addSource(Source source) {
        Objects.requireNonNull(source, "source");
        synchronized (this) {
            if (sources.contains(source)) {
                throw new IllegalStateException("manager '" + name + "' already has source " + source.name());
            }
            add(source);
        }
    }

    private void add(Source source) {
        if (started.get()) {
            throw new IllegalStateException("manager '" + name + "' already started: add sources in its constructor");
        }
        sources.add(source);
        source.ownedBy(name);
    }

    /**
     * This manager's (first) source.
     *
     * @throws IllegalStateException if {@link #setSource(Source)} has not been called
     */
    public Source source() {
        List<Source> current = sources;
        if (current.isEmpty()) {
            throw new IllegalStateException("manager '" + name + "' has no source: call setSource in its constructor");
        }
        return current.get(0);
    }

    /** Every source of this manager, the first being {@link #source()}; empty before one is set. */
    public final List<Source> sources() {
        return List.copyOf(sources);
    }

    /**
     * The sources without a copy, for the flow's periodic walks over every manager (the stall watchdog): iterating
     * it sees a snapshot, as {@link #sources()} does, without allocating one per manager and look.
     */
    final List<Source> sourcesView() {
        return sourcesView;
    }

    /**
     * Whether the flow builds a fresh manager after this one finished or failed (aiopype's {@code run_always}).
     * Default {@code true}.
     */
    public boolean shouldRestart() {
        return true;
    }

    /**
     * Registers a resource (an output file, a client) that {@link #stop()} closes, in reverse registration order.
     *
     * @return {@code resource}
     */
    protected <R extends AutoCloseable> R closeOnStop(R resource) {
        resources.add(0, Objects.requireNonNull(resource, "resource"));
        return resource;
    }

    /**
     * Runs what this manager's processors deferred to its start ({@link StartGate}), then starts the sources. The
     * returned future completes when the manager is done: normally when every source
     * finished or {@link #stop()} was called, exceptionally as soon as a source failed or the flow failed this
     * manager because of an uncaught error.
     *
     * @throws IllegalStateException if already started or no source was set
     * @throws RuntimeException what a deferred action threw, once all of them ran (the sources are then not started)
     */
    public CompletableFuture<Void> start() {
        source(); // fails clearly without one
        List<Source> all;
        synchronized (this) {
            if (!started.compareAndSet(false, true)) {
                throw new IllegalStateException("manager '" + name + "' already started");
            }
            all = List.copyOf(sources);
        }
        dispatcher.startGate().open(this); // what the processors deferred to this moment (StartGate), sources next
        AtomicInteger running = new AtomicInteger(all.size());
        for (Source current : all) {
            CompletableFuture<Void> done = startOne(current);
            done.whenComplete((ignored, failure) -> {
                if (failure != null) {
                    fail(unwrap(failure), current.name());
                } else if (running.decrementAndGet() == 0) {
                    completion.complete(null);
                }
            });
        }
        return completion;
    }

    /**
     * The processor this manager's failure came from, or {@code null}: the first source whose future failed, or the
     * processor whose uncaught error event failed it — what a failure report names as its processor
     * ({@link PipelineError#processor()}).
     */
    final String failedProcessor() {
        Failure first = failure.get();
        return first == null ? null : first.processor();
    }

    /** Who failed this manager first; {@code processor} may be null. */
    private record Failure(String processor) {}

    private static CompletableFuture<Void> startOne(Source source) {
        CompletableFuture<Void> running;
        try {
            running = Objects.requireNonNull(source.start(), "source.start() returned null");
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            running = CompletableFuture.failedFuture(e);
        }
        source.track(running);
        return running;
    }

    /**
     * Stops the sources, closes the resources registered with {@link #closeOnStop}, and completes this manager's
     * future normally if it has not completed yet. Idempotent.
     *
     * <p>A {@link Flow} closing does the same in two steps with the handler's drain in between: it stops the
     * sources of every manager, lets the handler deliver what it accepted, and only then closes the resources. It
     * retires a manager that ended while it runs the same way, waiting for the handler's delivery of what it had
     * accepted (see the class comment of {@link Flow}).
     *
     * <p>A source's {@code stop()} or a resource's {@code close()} that throws — also an {@link Error} — does not
     * keep the others from being stopped and closed; a {@link VirtualMachineError} other than
     * {@link StackOverflowError} is rethrown once all were tried.
     *
     * @throws IllegalStateException if a source or a resource failed to stop (the others are still stopped)
     */
    public void stop() {
        Throwable failure = stopSourcesCollecting();
        Throwable closing = closeResourcesCollecting();
        if (failure == null) {
            failure = closing;
        } else if (closing != null) {
            failure.addSuppressed(closing);
        }
        if (failure != null) {
            throw new IllegalStateException("manager '" + name + "' did not stop cleanly", failure);
        }
    }

    /** The first step of {@link #stop()}: stops every source. Idempotent. */
    final void stopSources() {
        Throwable failure = stopSourcesCollecting();
        if (failure != null) {
            throw new IllegalStateException("manager '" + name + "' did not stop its sources cleanly", failure);
        }
    }

    /**
     * Between the two steps, after the flow waited for the sources' futures: waits until the sources' own threads
     * have ended (see {@link Source#awaitIdle()}). The flow calls it; {@link #stop()} does not (a listener may call
     * {@code stop()} on the thread such work waits for).
     */
    final void awaitSourcesIdle() {
        for (Source current : sources) {
            current.awaitIdle();
        }
    }

    /** The second step of {@link #stop()}: closes the resources and completes the future. Idempotent. */
    final void closeResources() {
        Throwable failure = closeResourcesCollecting();
        if (failure != null) {
            throw new IllegalStateException("manager '" + name + "' did not close its resources cleanly", failure);
        }
    }

    private Throwable stopSourcesCollecting() {
        if (!sourcesStopped.compareAndSet(false, true)) {
            return null;
        }
        Throwable failure = null;
        for (Source current : sources) {
            try {
                current.stop();
            } catch (Throwable e) { // an Error too: the other sources are stopped all the same
                failure = merge(failure, e);
            }
        }
        rethrowIfFatal(failure);
        return failure;
    }

    private Throwable closeResourcesCollecting() {
        if (!resourcesClosed.compareAndSet(false, true)) {
            return null;
        }
        Throwable failure = null;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Throwable e) { // an Error too: the other resources are closed all the same
                failure = merge(failure, e);
            }
        }
        dispatcher.startGate().discard(this);
        completion.complete(null);
        rethrowIfFatal(failure);
        return failure;
    }

    /**
     * Rethrows {@code failure} if it is a {@link VirtualMachineError} that leaves the JVM in doubt (any but a
     * {@link StackOverflowError}, which is over once the stack has unwound), after every step was tried.
     */
    private static void rethrowIfFatal(Throwable failure) {
        if (failure instanceof VirtualMachineError fatal && !(failure instanceof StackOverflowError)) {
            throw fatal;
        }
    }

    private static Throwable merge(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        if (next instanceof VirtualMachineError && !(next instanceof StackOverflowError)
                && !(first instanceof VirtualMachineError)) {
            next.addSuppressed(first); // the fatal one leads, so that it is rethrown
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** Whether this manager is done: its future has completed. */
    public boolean isDone() {
        return completion.isDone();
    }

    /** Removes every listener registered on this manager's processors. */
    public void removeAllListeners() {
        dispatcher.removeListeners(this::owns);
    }

    /**
     * Fails this manager: its future completes exceptionally with {@code cause}, which came from {@code processor}
     * (may be null). Only the first failure counts, and it is recorded before the completion fails, so that the
     * processor a report names is always that of the failure it reports — also when two sources fail at once.
     */
    final void fail(Throwable cause, String processor) {
        if (!completion.isDone() && failure.compareAndSet(null, new Failure(processor))) {
            completion.completeExceptionally(cause);
        }
    }

    /** Every name {@link #processorName} handed out, and the sources' names. */
    final Set<String> ownedNames() {
        Set<String> names = new java.util.TreeSet<>(processorNames);
        for (Source current : sources) {
            names.add(current.name());
        }
        return names;
    }

    /** Whether {@code processorName} was handed out by {@link #processorName} or names one of the sources. */
    final boolean owns(String processorName) {
        if (processorNames.contains(processorName)) {
            return true;
        }
        for (Source current : sources) {
            if (current.name().equals(processorName)) {
                return true;
            }
        }
        return false;
    }

    static Throwable unwrap(Throwable failure) {
        return Completion.unwrap(failure);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + "]";
    }
}
