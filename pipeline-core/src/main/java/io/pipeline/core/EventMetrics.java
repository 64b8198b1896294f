package io.pipeline.core;

import java.util.Objects;

/**
 * The counts of one event of one processor, part of {@link ProcessorMetrics}. Counts are totals since the handler
 * first saw the event, over every restart of its manager (processors of the same name share them). Instances are
 * immutable and safe for concurrent use.
 *
 * @param event            the event's name
 * @param emitted          emits that passed the payload check (heard or not, also those an overflow policy then
 *                         dropped or rejected)
 * @param delivered        messages handed to a listener: one per listener per message
 * @param listenerFailures listeners that threw (or whose async stage failed)
 * @param deadEvents       emits nobody listened to
 * @param listenerTime     sampled time spent in listeners
 */
public record EventMetrics(String event, long emitted, long delivered, long listenerFailures, long deadEvents,
                           ListenerTime listenerTime) {
    /** Validates the components. */
    public EventMetrics {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(listenerTime, "listenerTime");
    }
}
