package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.Listener;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/**
 * Builds chains of operators inside a {@link io.pipeline.core.Manager}, creating and naming the processors: the
 * chain is made of ordinary processors (named by the manager, so visible to its status and error attribution)
 * wired with {@code on} exactly as by hand, so it runs on the same emit path.
 *
 * <pre>{@code
 * final class SensorManager extends Manager {
 *     SensorManager(MessageHandler handler) {
 *         super("sensors", handler);
 *         var source = new SensorPoller(processorName("source"), handler);
 *         var out = closeOnStop(new JsonLinesOutput<>(processorName("out"), handler, path, Anomaly.class));
 *         var ops = closeOnStop(Operators.in(handler, this::processorName));
 *         ops.from(source, RestSource.DATA)
 *            .map(Reading::parse)                               // "sensors.map-1"
 *            .filter(Reading::valid)                            // "sensors.filter-2"
 *            .named("spikes").anomalies(Reading.SERIES, 60)     // "sensors.spikes"
 *            .to(out::write);
 *         ops.onErrors(error -> log(error));
 *         setSource(source);
 *     }
 * }
 * }</pre>
 *
 * <p>Steps are named {@code kind-n} ({@code map-1}, {@code stats-3}, n counting every step of this builder) unless
 * {@link Chain#named(String)} says otherwise; the names are stable as long as the manager builds the same chain,
 * which is what lets stateful steps find their state again after a restart.
 *
 * <p>Clock-driven steps (event-time windows closing on the clock, {@link Throttle}, {@link StalenessAlert}) use
 * the options' scheduler; when there is none, this builder starts one daemon thread,
 * {@code pipeline-operators-<first step's name>}, on first need. {@link #close()} — register this builder with
 * {@code closeOnStop} <em>after</em> the outputs its chains feed, so that it is closed before them — closes the
 * steps in the order they were created, upstream first (flushing open windows and throttled payloads down the
 * chain), then stops that thread.
 *
 * <p>Not thread-safe: build chains on one thread (the manager's constructor).
 */
public final class Operators implements AutoCloseable {
    private final MessageHandler handler;
    private final UnaryOperator<String> names;
    private final OperatorOptions options;
    private final List<Processor> processors = new ArrayList<>();
    private final List<Listener<? super Throwable>> errorListeners = new ArrayList<>();
    private ScheduledExecutorService ownScheduler;
    private int steps;
    private boolean closed;

    private Operators(MessageHandler handler, UnaryOperator<String> names, OperatorOptions options) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.names = Objects.requireNonNull(names, "names");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A builder whose steps are named by {@code names} (a manager's {@code this::processorName}), default options. */
    public static Operators in(MessageHandler handler, UnaryOperator<String> names) {
        return new Operators(handler, names, OperatorOptions.defaults());
    }

    /** A builder whose steps are named by {@code names} and built with {@code options}. */
    public static Operators in(MessageHandler handler, UnaryOperator<String> names, OperatorOptions options) {
        return new Operators(handler, names, options);
    }

    /** A chain starting at {@code event} of {@code processor}. */
    public <T> Chain<T> from(Processor processor, Event<T> event) {
        return new Chain<>(this, Objects.requireNonNull(processor, "processor"), Objects.requireNonNull(event, "event"),
                null);
    }

    /** A {@link Merge} of several chains: one chain of all their payloads. */
    @SafeVarargs
    public final <T> Chain<T> merge(Chain<? extends T>... chains) {
        Merge<T> merge = add(new Merge<>(name("merge", null), handler));
        for (Chain<? extends T> chain : chains) {
            merge.from(chain.processor(), chain.event());
        }
        return new Chain<>(this, merge, merge.out(), null);
    }

    /**
     * Registers {@code listener} for the {@code ERROR} of every step, created or to be created — bad input,
     * failing functions. Without one, such an error is uncaught and fails the manager (the core's rule).
     */
    public Operators onErrors(Listener<? super Throwable> listener) {
        Objects.requireNonNull(listener, "listener");
        errorListeners.add(listener);
        for (Processor p : processors) {
            p.on(Processor.ERROR, listener);
        }
        return this;
    }

    /** The steps created so far, in order. */
    public List<Processor> processors() {
        return List.copyOf(processors);
    }

    /** The handler the steps are built on. */
    public MessageHandler handler() {
        return handler;
    }

    String name(String kind, String local) {
        steps++;
        return names.apply(local != null ? local : kind + "-" + steps);
    }

    <P extends Processor> P add(P processor) {
        if (closed) {
            throw new IllegalStateException("operators closed; cannot add " + processor.name());
        }
        processors.add(processor);
        for (Listener<? super Throwable> listener : errorListeners) {
            processor.on(Processor.ERROR, listener);
        }
        return processor;
    }

    OperatorOptions options() {
        return options;
    }

    /** The options with a scheduler: the caller's, or one of this builder's own. */
    OperatorOptions clockDriven(String firstName) {
        if (options.scheduler().isPresent()) {
            return options;
        }
        if (ownScheduler == null) {
            String threadName = "pipeline-operators-" + firstName;
            ownScheduler = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, threadName);
                thread.setDaemon(true);
                return thread;
            });
        }
        return options.withScheduler(ownScheduler);
    }

    /**
     * Closes every step that holds something to flush or a timer, upstream first, then stops this builder's own
     * scheduler thread. Idempotent; the first failure is rethrown after the rest were closed.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (Processor p : processors) {
            if (p instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    RuntimeException wrapped = e instanceof RuntimeException r ? r
                            : new IllegalStateException("closing " + p.name() + " failed", e);
                    if (failure == null) {
                        failure = wrapped;
                    } else {
                        failure.addSuppressed(wrapped);
                    }
                }
            }
        }
        if (ownScheduler != null) {
            ownScheduler.shutdownNow();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
