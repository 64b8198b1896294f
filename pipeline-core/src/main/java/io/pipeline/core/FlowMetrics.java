package io.pipeline.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a {@link Flow} counts, in one immutable snapshot: {@link Flow#metrics()}. Units: counts are totals
 * since the flow was built (over every restart); times are nanoseconds where the name says {@code Nanos}, instants
 * on the flow's clock otherwise. Each figure is read without stopping the pipeline, so figures of one snapshot may
 * be a few messages apart. With metrics turned off ({@code Flow.Builder.metrics(false)}) every processor count is
 * 0 and {@link #enabled()} is false; states, restarts and the handler's queue figures are still given.
 *
 * <pre>{@code
 * FlowMetrics metrics = flow.metrics();
 * for (ManagerMetrics manager : metrics.managers()) {
 *     for (ProcessorMetrics processor : manager.processors()) {
 *         System.out.printf("%s %s emitted=%d failures=%d%n", manager.name(), processor.name(),
 *                 processor.emitted(), processor.listenerFailures());
 *     }
 * }
 * }</pre>
 *
 * <p>Instances are immutable and safe for concurrent use.
 *
 * @param flow       the flow's name
 * @param time       when the snapshot was taken
 * @param enabled    whether the flow counts messages
 * @param dispatcher the handler's figures
 * @param managers   each manager, in the order they were added to the builder
 */
public record FlowMetrics(String flow, Instant time, boolean enabled, DispatcherMetrics dispatcher,
                          List<ManagerMetrics> managers) {
    /** Validates and copies the components. */
    public FlowMetrics {
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(dispatcher, "dispatcher");
        managers = List.copyOf(managers);
    }

    /** The manager named {@code name}, if there is one. */
    public Optional<ManagerMetrics> manager(String name) {
        Objects.requireNonNull(name, "name");
        return managers.stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
