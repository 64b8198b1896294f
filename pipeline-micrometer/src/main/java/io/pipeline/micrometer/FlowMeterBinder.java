package io.pipeline.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.pipeline.core.EventMetrics;
import io.pipeline.core.Flow;
import io.pipeline.core.FlowMetrics;
import io.pipeline.core.HealthStatus;
import io.pipeline.core.ManagerMetrics;
import io.pipeline.core.ManagerState;
import io.pipeline.core.ProcessorMetrics;
import io.pipeline.core.SourceMetrics;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link Flow}'s {@link Flow#metrics()} to a Micrometer {@link MeterRegistry}. Every meter reads the flow
 * live when the registry asks (a scrape), so nothing is copied in between and nothing runs on the emit path.
 *
 * <pre>{@code
 * flow.start();
 * new FlowMeterBinder(flow).bindTo(registry); // after start: the managers' processors exist then
 * }</pre>
 *
 * <p>Meters, named by Micrometer's conventions (dot-separated, lower case; a Prometheus registry renders
 * {@code pipeline.messages.emitted} as {@code pipeline_messages_emitted_total}):
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th></tr>
 *   <tr><td>{@code pipeline.messages.emitted}, {@code pipeline.messages.delivered}, {@code pipeline.messages.dead},
 *       {@code pipeline.listener.failures}</td><td>function counter</td>
 *       <td>{@code flow, manager, processor, event}</td></tr>
 *   <tr><td>{@code pipeline.listener.time} (sampled, see {@link io.pipeline.core.ListenerTime});
 *       {@code pipeline.listener.time.max}</td><td>function timer; time gauge</td>
 *       <td>{@code flow, manager, processor, event}</td></tr>
 *   <tr><td>{@code pipeline.source.<counter>} — each of a source's own counters, e.g. {@code pipeline.source.ticks};
 *       {@code pipeline.source.stalled} (1 or 0)</td><td>function counter; gauge</td>
 *       <td>{@code flow, manager, processor}</td></tr>
 *   <tr><td>{@code pipeline.manager.restarts}; {@code pipeline.manager.state} (1 for the state it is in, 0 for
 *       the others); {@code pipeline.manager.last.start}, {@code pipeline.manager.last.error},
 *       {@code pipeline.manager.last.message} (seconds since the epoch, 0 if never)</td>
 *       <td>function counter; gauges</td><td>{@code flow, manager} (+ {@code state})</td></tr>
 *   <tr><td>{@code pipeline.queue.depth}, {@code pipeline.queue.capacity}, {@code pipeline.queue.high.water};
 *       {@code pipeline.messages.dropped} (base unit {@code messages}: scraped as
 *       {@code pipeline_messages_dropped_messages_total}), {@code pipeline.messages.rejected};
 *       {@code pipeline.producer.blocked}; {@code pipeline.flow.health} (1 for the status it is in)</td>
 *       <td>gauges; function counters; function timer; gauge</td>
 *       <td>{@code flow} (+ {@code status})</td></tr>
 * </table>
 *
 * <p>Meters exist for the managers, processors, events and source counters the flow has when {@link #bindTo} runs;
 * call it again to add those that appeared since (meters already registered are kept: Micrometer returns the
 * existing meter for the same name and tags). A meter of something the flow no longer has reads 0.
 *
 * <p>Micrometer's function counters and timers hold the flow weakly: keep a reference to the flow for as long as it
 * runs (its gauges hold it strongly).
 *
 * <p>This class is thread-safe; meters may be read from any thread.
 */
public final class FlowMeterBinder implements MeterBinder {
    private final Flow flow;

    /** A binder for {@code flow}. */
    public FlowMeterBinder(Flow flow) {
        this.flow = Objects.requireNonNull(flow, "flow");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        FlowMetrics now = flow.metrics();
        Tags flowTags = Tags.of("flow", now.flow());
        bindFlow(registry, flowTags);
        for (ManagerMetrics manager : now.managers()) {
            Tags managerTags = flowTags.and("manager", manager.name());
            bindManager(registry, managerTags, manager.name());
            for (ProcessorMetrics processor : manager.processors()) {
                Tags processorTags = managerTags.and("processor", processor.name());
                for (EventMetrics event : processor.events()) {
                    bindEvent(registry, processorTags.and("event", event.event()), manager.name(), processor.name(),
                            event.event());
                }
            }
            for (SourceMetrics source : manager.sources()) {
                Tags sourceTags = managerTags.and("processor", source.name());
                bindSource(registry, sourceTags, manager.name(), source);
            }
        }
    }

    private void bindFlow(MeterRegistry registry, Tags tags) {
        gauge(registry, "pipeline.queue.depth", tags, "messages", "Messages waiting in the handler's queue",
                f -> f.metrics().dispatcher().queueDepth());
        gauge(registry, "pipeline.queue.capacity", tags, "messages", "The handler queue's capacity",
                f -> f.metrics().dispatcher().capacity());
        gauge(registry, "pipeline.queue.high.water", tags, "messages", "The deepest the handler's queue has been",
                f -> f.metrics().dispatcher().highWaterMark());
        FunctionCounter.builder("pipeline.messages.dropped", flow, f -> f.metrics().dispatcher().dropped())
                .tags(tags).baseUnit("messages").description("Messages discarded by the overflow policy")
                .register(registry);
        FunctionCounter.builder("pipeline.messages.rejected", flow, f -> f.metrics().dispatcher().rejected())
                .tags(tags)
                .description("Emits refused for lack of room (FAIL policy, or interrupted while blocked)")
                .register(registry);
        FunctionTimer.builder("pipeline.producer.blocked", flow, f -> f.metrics().dispatcher().blockedEmits(),
                        f -> f.metrics().dispatcher().blockedNanos(), TimeUnit.NANOSECONDS)
                .tags(tags).description("Time emitters waited for room in a full queue")
                .register(registry);
        for (HealthStatus status : HealthStatus.values()) {
            gauge(registry, "pipeline.flow.health", tags.and("status", status.name()), null,
                    "1 for the flow's health status, 0 for the others",
                    f -> f.health().status() == status ? 1 : 0);
        }
    }

    private void bindManager(MeterRegistry registry, Tags tags, String manager) {
        FunctionCounter.builder("pipeline.manager.restarts", flow,
                        f -> manager(f, manager).map(ManagerMetrics::restarts).orElse(0))
                .tags(tags).description("Times the manager was rebuilt").register(registry);
        for (ManagerState state : ManagerState.values()) {
            gauge(registry, "pipeline.manager.state", tags.and("state", state.name()), null,
                    "1 for the manager's state, 0 for the others",
                    f -> manager(f, manager).filter(m -> m.state() == state).isPresent() ? 1 : 0);
        }
        timestamp(registry, "pipeline.manager.last.start", tags, "When the manager was last started",
                f -> manager(f, manager).flatMap(ManagerMetrics::lastStart));
        timestamp(registry, "pipeline.manager.last.error", tags, "When the manager last failed",
                f -> manager(f, manager).flatMap(ManagerMetrics::lastErrorTime));
        timestamp(registry, "pipeline.manager.last.message", tags, "When one of the manager's sources last emitted",
                f -> manager(f, manager).flatMap(ManagerMetrics::lastMessage));
    }

    private void bindEvent(MeterRegistry registry, Tags tags, String manager, String processor, String event) {
        counter(registry, "pipeline.messages.emitted", tags, "Messages emitted",
                f -> event(f, manager, processor, event).map(EventMetrics::emitted).orElse(0L));
        counter(registry, "pipeline.messages.delivered", tags, "Messages handed to a listener, one per listener",
                f -> event(f, manager, processor, event).map(EventMetrics::delivered).orElse(0L));
        counter(registry, "pipeline.messages.dead", tags, "Messages nobody listened to",
                f -> event(f, manager, processor, event).map(EventMetrics::deadEvents).orElse(0L));
        counter(registry, "pipeline.listener.failures", tags, "Listeners that threw",
                f -> event(f, manager, processor, event).map(EventMetrics::listenerFailures).orElse(0L));
        FunctionTimer.builder("pipeline.listener.time", flow,
                        f -> event(f, manager, processor, event).map(e -> e.listenerTime().samples()).orElse(0L),
                        f -> event(f, manager, processor, event).map(e -> e.listenerTime().totalNanos()).orElse(0L),
                        TimeUnit.NANOSECONDS)
                .tags(tags).description("Time spent in listeners, one delivery in 1024 sampled")
                .register(registry);
        TimeGauge.builder("pipeline.listener.time.max", flow, TimeUnit.NANOSECONDS,
                        f -> event(f, manager, processor, event).map(e -> e.listenerTime().maxNanos()).orElse(0L))
                .tags(tags).description("The longest sampled listener call").strongReference(true)
                .register(registry);
    }

    private void bindSource(MeterRegistry registry, Tags tags, String manager, SourceMetrics source) {
        for (String counter : source.counters().keySet()) {
            counter(registry, "pipeline.source." + counter, tags, "The source's own count of " + counter,
                    f -> source(f, manager, source.name()).map(s -> s.counter(counter)).orElse(0L));
        }
        gauge(registry, "pipeline.source.stalled", tags, null, "1 while the stall watchdog finds the source stalled",
                f -> source(f, manager, source.name()).filter(SourceMetrics::stalled).isPresent() ? 1 : 0);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private void counter(MeterRegistry registry, String name, Tags tags, String description,
                         ToDoubleFunction<Flow> value) {
        FunctionCounter.builder(name, flow, value).tags(tags).description(description)
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, Tags tags, String unit, String description,
                       ToDoubleFunction<Flow> value) {
        Gauge.builder(name, flow, value).tags(tags).baseUnit(unit).description(description).strongReference(true)
                .register(registry);
    }

    private void timestamp(MeterRegistry registry, String name, Tags tags, String description,
                           java.util.function.Function<Flow, Optional<Instant>> instant) {
        TimeGauge.builder(name, flow, TimeUnit.MILLISECONDS,
                        f -> instant.apply(f).map(Instant::toEpochMilli).orElse(0L))
                .tags(tags).description(description + " (since the epoch; 0 if never)").strongReference(true)
                .register(registry);
    }

    /**
     * One manager's figures, for the meters of that manager, its processors and sources: read from that manager
     * alone ({@link Flow#managerMetrics}), so that a scrape costs each manager's meters that manager's figures, not a
     * snapshot of the whole flow each (which made a scrape quadratic in the number of managers).
     */
    private static Optional<ManagerMetrics> manager(Flow flow, String manager) {
        return flow.managerMetrics(manager);
    }

    private static Optional<EventMetrics> event(Flow flow, String manager, String processor, String event) {
        return manager(flow, manager).flatMap(m -> m.processor(processor)).flatMap(p -> p.event(event));
    }

    private static Optional<SourceMetrics> source(Flow flow, String manager, String source) {
        return manager(flow, manager).flatMap(m -> m.source(source));
    }
}
