package io.pipeline.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The flow's stall watchdog: finds sources that have emitted nothing for {@code multiple} times their
 * {@link Source#expectedInterval()}, since their last emit or their manager's start, whichever is later. A
 * {@link #check} is one step, run by the flow on its supervisor thread; it says what to do and the flow does it.
 *
 * <p>{@link #check} runs on one thread at a time (the supervisor); {@link #stalls()} and {@link #isStalled} may be
 * read from any thread.
 */
final class StallWatchdog {
    /** What a check found: a source that just stalled, and whether to fail it. */
    record Finding(Source source, SourceStall stall, boolean restart) {}

    private final double multiple;
    private final boolean restartAll;
    /**
     * A stall as recorded by a check, with the source's emit count then: a reader that sees the count grown knows
     * the stall is over without waiting for the next check ("it clears as soon as the source emits again").
     */
    private record Stalled(SourceStall stall, ProcessorTopics topics, long emits) {
        boolean over() {
            return topics.emitCount() != emits;
        }
    }

    private final Map<String, Stalled> stalled = new ConcurrentHashMap<>();

    StallWatchdog(double multiple, boolean restartAll) {
        this.multiple = multiple;
        this.restartAll = restartAll;
    }

    /** The source's declared interval; a throwing or non-positive answer counts as none. */
    static Optional<Duration> expectedInterval(Source source) {
        try {
            Optional<Duration> interval = source.expectedInterval();
            if (interval == null || interval.isEmpty() || interval.get().isNegative() || interval.get().isZero()) {
                return Optional.empty();
            }
            return interval;
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether any running source of these slots declares an interval: the watchdog has work. */
    static boolean watches(List<Slot> slots) {
        for (Slot slot : slots) {
            Manager manager = slot.current();
            if (manager != null) {
                for (Source source : manager.sourcesView()) {
                    if (expectedInterval(source).isPresent()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** One check at {@code now}: records new stalls and clears those whose source emitted again. */
    List<Finding> check(Instant now, List<Slot> slots) {
        // A flow checks every second for as long as it runs (86,400 times a virtual day), and nearly every check
        // finds nothing: allocate the findings only for a finding, and the watched names only when there are
        // stalls to forget (with none recorded before the check, every stall recorded during it is watched).
        List<Finding> found = List.of();
        Set<String> watched = stalled.isEmpty() ? null : new HashSet<>();
        long nowMillis = now.toEpochMilli();
        for (Slot slot : slots) {
            Manager manager = slot.current();
            Optional<Instant> started = slot.startedAt();
            if (manager == null || slot.state() != ManagerState.RUNNING || started.isEmpty()) {
                continue;
            }
            for (Source source : manager.sourcesView()) {
                Optional<Duration> interval = expectedInterval(source);
                if (interval.isEmpty() || source.isDone()) {
                    continue;
                }
                if (watched != null) {
                    watched.add(source.name());
                }
                long lastEmit = source.topics.observeEmits(nowMillis);
                Instant since = lastEmit > started.get().toEpochMilli() ? Instant.ofEpochMilli(lastEmit)
                        : started.get();
                Duration silence = Duration.between(since, now);
                if (!exceeds(silence, interval.get())) {
                    stalled.remove(source.name());
                    continue;
                }
                if (stalled.containsKey(source.name())) {
                    continue;
                }
                SourceStall stall = new SourceStall(manager.name(), source.name(), interval.get(), silence, now);
                stalled.put(source.name(), new Stalled(stall, source.topics, source.topics.emitCount()));
                if (found.isEmpty()) {
                    found = new ArrayList<>();
                }
                found.add(new Finding(source, stall, restartAll || restarts(source)));
            }
        }
        if (watched != null) {
            stalled.keySet().retainAll(watched);
        }
        return found;
    }

    private static boolean restarts(Source source) {
        try {
            return source.restartWhenStalled();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether {@code silence} is more than {@code multiple} intervals; saturating. */
    private boolean exceeds(Duration silence, Duration interval) {
        double limitSeconds = (interval.getSeconds() + interval.getNano() / 1e9) * multiple;
        double silenceSeconds = silence.getSeconds() + silence.getNano() / 1e9;
        return silenceSeconds > limitSeconds;
    }

    /** Whether {@code source} is stalled now: found so by a check, and has not emitted since. */
    boolean isStalled(String source) {
        Stalled entry = stalled.get(source);
        return entry != null && !forgetIfOver(source, entry);
    }

    /** The sources stalled now: found so by a check, and not emitted since. */
    List<SourceStall> stalls() {
        List<SourceStall> now = new ArrayList<>(stalled.size());
        stalled.forEach((source, entry) -> {
            if (!forgetIfOver(source, entry)) {
                now.add(entry.stall());
            }
        });
        return List.copyOf(now);
    }

    /**
     * Forgets a stall whose source has emitted since it was found; the next check then sees the emit and does not
     * find it stalled again (its silence counts from that emit).
     */
    private boolean forgetIfOver(String source, Stalled entry) {
        if (entry.over()) {
            stalled.remove(source, entry);
            return true;
        }
        return false;
    }

    /** The watchdog forgets a source, e.g. when its manager ended. */
    void forget(String source) {
        stalled.remove(source);
    }
}
