package io.pipeline.core;

import java.util.List;
import java.util.Objects;

/**
 * The counts of one processor — totals of its {@link #events()} — part of {@link ManagerMetrics}. Instances are
 * immutable and safe for concurrent use.
 *
 * @param name             the processor's name
 * @param emitted          its emits (see {@link EventMetrics#emitted()})
 * @param delivered        messages it emitted that were handed to a listener, one per listener
 * @param listenerFailures failures of listeners of its events
 * @param deadEvents       its emits nobody listened to
 * @param listenerTime     sampled time spent in listeners of its events
 * @param events           per event, sorted by name
 */
public record ProcessorMetrics(String name, long emitted, long delivered, long listenerFailures, long deadEvents,
                               ListenerTime listenerTime, List<EventMetrics> events) {
    /** Validates and copies the components. */
    public ProcessorMetrics {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(listenerTime, "listenerTime");
        events = List.copyOf(events);
    }

    /** The totals of {@code events}. */
    static ProcessorMetrics of(String name, List<EventMetrics> events) {
        long emitted = 0;
        long delivered = 0;
        long failures = 0;
        long dead = 0;
        ListenerTime time = ListenerTime.NONE;
        for (EventMetrics event : events) {
            emitted += event.emitted();
            delivered += event.delivered();
            failures += event.listenerFailures();
            dead += event.deadEvents();
            time = time.plus(event.listenerTime());
        }
        return new ProcessorMetrics(name, emitted, delivered, failures, dead, time, events);
    }

    /** The counts of the event named {@code event}, if it was ever emitted or listened to. */
    public java.util.Optional<EventMetrics> event(String event) {
        Objects.requireNonNull(event, "event");
        return events.stream().filter(e -> e.event().equals(event)).findFirst();
    }
}
