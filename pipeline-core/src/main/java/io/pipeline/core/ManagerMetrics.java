package io.pipeline.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One manager of a {@link Flow} with its processors and sources, part of {@link FlowMetrics}. Processor and source
 * counts are totals over every restart. Instances are immutable and safe for concurrent use.
 *
 * @param name          the manager's name
 * @param state         where the flow stands with it
 * @param restarts      how many times it has been rebuilt
 * @param lastStart     when it was last built and started, on the flow's clock
 * @param lastError     its latest failure
 * @param lastErrorTime when that failure was handled
 * @param lastMessage   when one of its sources last emitted, on the flow's clock. For a source that brackets its
 *                      emitting work in {@code beginEmitting()}/{@code endEmitting()} (the time sources and the
 *                      bundled connectors do): the end of its last piece of work that emitted. For any other, as the
 *                      flow saw it: emits are not stamped one by one (a clock read per emit would cost more than the
 *                      emit), the flow looks at the emit counts at every stall-watchdog check (every second, while
 *                      a running source declares {@link Source#expectedInterval()}) and every {@link Flow#metrics()}
 *                      call (JMX and Micrometer reads included), so it is late by at most the time between two looks
 * @param processors    its processors (sources included), sorted by name
 * @param sources       its sources, sorted by name
 */
public record ManagerMetrics(String name, ManagerState state, int restarts, Optional<Instant> lastStart,
                             Optional<Throwable> lastError, Optional<Instant> lastErrorTime,
                             Optional<Instant> lastMessage, List<ProcessorMetrics> processors,
                             List<SourceMetrics> sources) {
    /** Validates and copies the components. */
    public ManagerMetrics {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastStart, "lastStart");
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(lastErrorTime, "lastErrorTime");
        Objects.requireNonNull(lastMessage, "lastMessage");
        processors = List.copyOf(processors);
        sources = List.copyOf(sources);
    }

    /** The processor named {@code name}, if this manager owns one. */
    public Optional<ProcessorMetrics> processor(String name) {
        Objects.requireNonNull(name, "name");
        return processors.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The source named {@code name}, if this manager has one. */
    public Optional<SourceMetrics> source(String name) {
        Objects.requireNonNull(name, "name");
        return sources.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
