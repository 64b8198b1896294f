package io.pipeline.operators;

import java.time.Instant;
import java.util.List;

/**
 * One window's values for one key, emitted by {@link Window} when the window is complete — or earlier, marked
 * {@code early}, when the operator is stopped or the key evicted while the window was open.
 *
 * <p>For event-time windows {@code [start, end)} is the window's span (a session's end is its last value's time
 * plus the gap); for count windows {@code start} and {@code end} are the first and the last value's times, both
 * inclusive. Values are in arrival order. Instances are immutable.
 */
public record Pane<T>(Object key, Instant start, Instant end, List<T> items, boolean early) {
    public Pane {
        items = List.copyOf(items);
    }

    /** The number of values. */
    public int size() {
        return items.size();
    }
}
