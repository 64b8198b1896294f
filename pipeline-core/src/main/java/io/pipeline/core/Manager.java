package io.pipeline.core;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * <p>Processors belong to the manager when their names come from {@link #processorName(String)}; that is how
 * {@link #removeAllListeners()} and the flow's error attribution find them.
 *
 * <p>Lifecycle: NEW → RUNNING ({@link #start()}) → DONE (the source finished, failed, or {@link #stop()} was
 * called). Thread-safe.
 */
public abstract class Manager {
    private final String name;
    private final MessageHandler handler;
    private final Dispatcher dispatcher;
    private final CompletableFuture<Void> completion = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private volatile Source source;

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

    /** The name for one of this manager's processors: {@code name() + "." + local}. */
    protected String processorName(String local) {
        Objects.requireNonNull(local, "local");
        if (local.isBlank()) {
            throw new IllegalArgumentException("local processor name is blank");
        }
        return name + "." + local;
    }

    /**
     * Sets the source {@link #start()} runs. Call it once, in the constructor.
     *
     * @throws IllegalStateException if a source is already set
     */
    protected void setSource(Source source) {
        Objects.requireNonNull(source, "source");
        synchronized (this) {
            if (this.source != null) {
                throw new IllegalStateException("manager '" + name + "' already has a source: " + this.source.name());
            }
            this.source = source;
        }
    }

    /**
     * This manager's source.
     *
     * @throws IllegalStateException if {@link #setSource(Source)} has not been called
     */
    public Source source() {
        Source current = source;
        if (current == null) {
            throw new IllegalStateException("manager '" + name + "' has no source: call setSource in its constructor");
        }
        return current;
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
     * Starts the source. The returned future completes when the manager is done: normally when its source
     * finished or {@link #stop()} was called, exceptionally when the source failed or the flow failed this
     * manager because of an uncaught error.
     *
     * @throws IllegalStateException if already started or no source was set
     */
    public CompletableFuture<Void> start() {
        Source current = source();
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("manager '" + name + "' already started");
        }
        CompletableFuture<Void> running;
        try {
            running = Objects.requireNonNull(current.start(), "source.start() returned null");
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            running = CompletableFuture.failedFuture(e);
        }
        current.track(running);
        running.whenComplete((ignored, failure) -> {
            if (failure == null) {
                completion.complete(null);
            } else {
                completion.completeExceptionally(unwrap(failure));
            }
        });
        return completion;
    }

    /**
     * Stops the source, closes the resources registered with {@link #closeOnStop}, and completes this manager's
     * future normally if it has not completed yet. Idempotent.
     */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        Source current = source;
        Throwable failure = null;
        try {
            if (current != null) {
                current.stop();
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        completion.complete(null);
        if (failure != null) {
            throw new IllegalStateException("manager '" + name + "' did not stop cleanly", failure);
        }
    }

    /** Whether this manager is done: its future has completed. */
    public boolean isDone() {
        return completion.isDone();
    }

    /** Removes every listener registered on this manager's processors. */
    public void removeAllListeners() {
        dispatcher.removeListeners(this::owns);
    }

    /** Fails this manager: its future completes exceptionally with {@code cause}. */
    final void fail(Throwable cause) {
        completion.completeExceptionally(cause);
    }

    /** Whether {@code processorName} names one of this manager's processors. */
    final boolean owns(String processorName) {
        Source current = source;
        return processorName.startsWith(name + ".") || (current != null && current.name().equals(processorName));
    }

    static Throwable unwrap(Throwable failure) {
        return Completion.unwrap(failure);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + "]";
    }
}
