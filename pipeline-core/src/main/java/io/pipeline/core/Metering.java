package io.pipeline.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Builds {@link FlowMetrics} snapshots from the handler's topic counters and the flow's slots. Reads only: every
 * figure is read once, without locks on the emit path. Stateless.
 */
final class Metering {
    private Metering() {}

    static FlowMetrics snapshot(String flow, Instant now, Dispatcher dispatcher, List<Slot> slots,
                                StallWatchdog watchdog) {
        Map<String, ProcessorTopics> processors = dispatcher.processors();
        List<ManagerMetrics> managers = new ArrayList<>(slots.size());
        for (Slot slot : slots) {
            managers.add(manager(slot, processors::get, watchdog, now));
        }
        return new FlowMetrics(flow, now, dispatcher.metricsEnabled(), dispatcher.dispatcherMetrics(), managers);
    }

    /** One manager alone ({@link Flow#managerMetrics}): reads only its own processors. */
    static ManagerMetrics manager(Slot slot, Dispatcher dispatcher, StallWatchdog watchdog, Instant now) {
        return manager(slot, dispatcher::processorTopics, watchdog, now);
    }

    static ManagerMetrics manager(Slot slot, Function<String, ProcessorTopics> processors, StallWatchdog watchdog,
                                  Instant now) {
        ManagerStatus status = slot.status();
        Manager built = slot.built();
        List<ProcessorMetrics> owned = new ArrayList<>();
        List<SourceMetrics> sources = new ArrayList<>();
        long lastMessage = 0;
        if (built != null) {
            for (String name : built.ownedNames()) {
                ProcessorTopics topics = processors.apply(name);
                if (topics != null) {
                    owned.add(processor(topics));
                }
            }
            for (Source source : built.sources()) {
                long last = source.topics.observeEmits(now.toEpochMilli());
                lastMessage = Math.max(lastMessage, last);
                sources.add(new SourceMetrics(source.name(), source.topics.counterValues(),
                        StallWatchdog.expectedInterval(source),
                        last == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(last)),
                        watchdog.isStalled(source.name())));
            }
        }
        sources.sort(Comparator.comparing(SourceMetrics::name));
        return new ManagerMetrics(status.name(), status.state(), status.restarts(), slot.lastStart(),
                status.lastError(), status.lastErrorTime(),
                lastMessage == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastMessage)), owned, sources);
    }

    static ProcessorMetrics processor(ProcessorTopics topics) {
        List<EventMetrics> events = new ArrayList<>();
        for (Topic topic : topics.allTopics()) {
            events.add(event(topic));
        }
        events.sort(Comparator.comparing(EventMetrics::event));
        return ProcessorMetrics.of(topics.name, events);
    }

    private static EventMetrics event(Topic topic) {
        TopicStats stats = topic.stats;
        if (stats == null) {
            return new EventMetrics(topic.event.name(), 0, 0, 0, 0, ListenerTime.NONE);
        }
        return new EventMetrics(topic.event.name(), stats.emits(), stats.deliveries(), stats.failures(),
                stats.deadEvents(), stats.listenerTime());
    }
}
