package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.RetainedState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * Groups each key's payloads into windows ({@link WindowSpec}: count or event-time, tumbling, sliding, session)
 * and emits each complete window as a {@link Pane} on {@link #out()}.
 *
 * <pre>{@code
 * var minutes = new Window<Reading>(processorName("minutes"), handler,
 *         WindowSpec.timeTumbling(Duration.ofMinutes(1)).withAllowedLateness(Duration.ofSeconds(10)),
 *         Reading::sensor, Reading::time, options);
 * minutes.on(minutes.out(), pane -> writer.write(Stats.of(pane, Reading::celsius)));
 * minutes.on(Window.LATE, late -> log(late));
 * }</pre>
 *
 * <p><b>Event time.</b> A pane {@code [start, end)} closes when the watermark reaches {@code end}; the watermark is
 * the largest event time seen minus the allowed lateness and, with a scheduler, also {@code clock − lateness −
 * clockGrace} (see {@link WindowSpec}), and it never goes back. A payload is late when every window it belongs
 * to has closed — its last window's end (a session's: its time plus the gap) is at or before the watermark — and
 * is then emitted on {@link #LATE} instead; nothing is dropped silently (a LATE nobody hears is counted as a dead
 * event, and in {@link #lateCount()}). A payload of a sliding window whose earlier windows closed joins the open
 * ones. The watermark is one per operator, across keys. Panes that close
 * together are emitted key by key, each key's in order of start.
 *
 * <p><b>Stop.</b> {@link #close()} — register the operator with {@code closeOnStop}; the fluent
 * {@link Operators} does — flushes every open window as a pane marked {@code early}. A fresh operator then
 * forgets them; a retained one (the default) keeps them, so that the instance a restarted manager builds
 * continues them and later emits the complete pane: a consumer that wants complete windows only skips early
 * panes. A key evicted by the key bound or idleness also has its open windows flushed early.
 *
 * <p><b>State.</b> Per key, the payloads of its open windows (a sliding time window holds each payload once per
 * window it belongs to, {@code size / hop} of them), at most {@link OperatorOptions#maxKeys()} keys. Kept across
 * restarts unless fresh.
 *
 * <p><b>Threads.</b> Thread-safe: payloads and timer ticks may arrive on different threads; the state is guarded
 * by a lock that is never held while listeners or the key and time functions run. Listeners run on the thread
 * that delivered the payload, the tick or the close.
 */
public final class Window<T> extends Processor implements AutoCloseable {
    /** Payloads that arrived after the watermark had passed their time. */
    public static final Event<Object> LATE = Outputs.LATE;

    private final WindowSpec spec;
    private final Function<? super T, ?> key;
    private final Function<? super T, Instant> time;
    private final Reader<T> times;
    private volatile boolean closed;
    private final Clock clock;
    private final boolean clockClosing;
    private final boolean fresh;
    private final Ticker ticker;
    private final long sizeNanos;
    private final long hopNanos;
    private final long latenessNanos;
    private final long clockLagNanos;
    private final Kept state;
    private final Function<Object, KeyWindows> newKey;

    /** What survives a restart: the keys' open windows and the watermark. */
    static final class Kept {
        final Object config;
        final KeyedStates<KeyWindows> keys;
        long maxEventTime = Long.MIN_VALUE;
        long watermark = Long.MIN_VALUE;
        long earliestEnd = Long.MAX_VALUE;
        long late;

        Kept(Object config, OperatorOptions options) {
            this.config = config;
            this.keys = new KeyedStates<>(options.maxKeys(), options.idleEviction().toMillis());
        }
    }

    /** One key's open windows. */
    static final class KeyWindows {
        // count windows: the values and their times, and how many arrived since the last pane
        final ArrayDeque<Object> items = new ArrayDeque<>();
        final ArrayDeque<Instant> itemTimes = new ArrayDeque<>();
        int sinceLast;
        // time windows by start; sessions by start
        final TreeMap<Long, Open> open = new TreeMap<>();
    }

    /** One open event-time window or session. */
    static final class Open {
        long start;
        long end;
        final List<Object> items = new ArrayList<>();

        Open(long start, long end) {
            this.start = start;
            this.end = end;
        }
    }

    public Window(String name, MessageHandler handler, WindowSpec spec, Function<? super T, ?> key,
            Function<? super T, Instant> time) {
        this(name, handler, spec, key, time, OperatorOptions.defaults());
    }

    public Window(String name, MessageHandler handler, WindowSpec spec, Function<? super T, ?> key,
            Function<? super T, Instant> time, OperatorOptions options) {
        super(name, handler);
        this.spec = Objects.requireNonNull(spec, "spec");
        this.key = Objects.requireNonNull(key, "key");
        this.time = Objects.requireNonNull(time, "time");
        this.times = new Reader<>(Series.of(key, time, payload -> 0));
        this.clock = options.clock();
        this.fresh = options.freshState();
        ScheduledExecutorService scheduler = options.scheduler().orElse(null);
        this.clockClosing = spec.isTime() && spec.closesOnClock() && scheduler != null;
        this.ticker = clockClosing ? new Ticker(this, handler, clock, scheduler) : null;
        this.sizeNanos = spec.size().toNanos();
        this.hopNanos = spec.hop().toNanos();
        this.latenessNanos = spec.allowedLateness().toNanos();
        try {
            this.clockLagNanos = Math.addExact(latenessNanos, spec.clockGrace().toNanos());
        } catch (ArithmeticException tooLong) {
            throw new IllegalArgumentException("allowed lateness " + spec.allowedLateness() + " plus clock grace "
                    + spec.clockGrace() + " is too long (at most 292 years)", tooLong);
        }
        this.newKey = k -> new KeyWindows();
        Object config = List.of(spec, options.maxKeys());
        Kept kept = fresh ? null : retainedState(Kept.class, () -> new Kept(config, options));
        if (kept == null || !kept.config.equals(config)) {
            kept = new Kept(config, options);
            if (!fresh) {
                RetainedState.of(handler).put(name, kept);
            }
        }
        this.state = kept;
        if (ticker != null) {
            ticker.onTick(this::onTick);
            synchronized (state) {
                scheduleNext();
            }
        }
    }

    /** The event panes are emitted on. */
    public Event<Pane<T>> out() {
        return Outputs.out();
    }

    /** The spec. */
    public WindowSpec spec() {
        return spec;
    }

    /** Adds {@code payload} to its key's windows, and emits the panes it completes (or it, if late). */
    public void accept(T payload) {
        Object k = key.apply(payload);
        String problem = k == null ? "key is null" : times.readTime(time.apply(payload));
        if (problem != null) {
            emit(ERROR, new BadInputException(name(), k, problem));
            return;
        }
        Instant at = times.time;
        long t = times.nanos;
        List<Pane<T>> panes = new ArrayList<>(2);
        boolean late = false;
        long now = clock.millis();
        synchronized (state) {
            KeyedStates.Node<KeyWindows> node = state.keys.touch(k, now, newKey, evicted -> flushKey(evicted, panes));
            if (!spec.isTime()) {
                addCounted(k, node.state, payload, at, panes);
            } else if (lastEnd(t) <= watermark(now)) {
                late = true;
                state.late++;
            } else {
                long wm = state.watermark;
                if (t > state.maxEventTime) {
                    state.maxEventTime = t;
                }
                if (spec.kind() == WindowSpec.Kind.SESSION) {
                    addToSession(node.state, payload, t);
                } else {
                    addToWindows(node.state, payload, t, wm);
                }
                closeDue(watermark(now), panes);
                scheduleNext();
            }
        }
        if (late) {
            emit(LATE, payload);
        }
        emitAll(panes);
    }

    // ---- count windows --------------------------------------------------------------------------------------

    private void addCounted(Object k, KeyWindows w, Object payload, Instant time, List<Pane<T>> panes) {
        w.items.addLast(payload);
        w.itemTimes.addLast(time);
        w.sinceLast++;
        int n = spec.count();
        if (spec.kind() == WindowSpec.Kind.COUNT_TUMBLING) {
            if (w.items.size() == n) {
                panes.add(countPane(k, w, false));
                w.items.clear();
                w.itemTimes.clear();
                w.sinceLast = 0;
            }
            return;
        }
        if (w.items.size() > n) {
            w.items.removeFirst();
            w.itemTimes.removeFirst();
        }
        if (w.items.size() == n && (w.sinceLast >= spec.step() || w.sinceLast == w.items.size())) {
            panes.add(countPane(k, w, false));
            w.sinceLast = 0;
        }
    }

    @SuppressWarnings("unchecked")
    private Pane<T> countPane(Object k, KeyWindows w, boolean early) {
        return new Pane<>(k, w.itemTimes.peekFirst(), w.itemTimes.peekLast(), (List<T>) new ArrayList<>(w.items), early);
    }

    // ---- event-time windows ---------------------------------------------------------------------------------

    /** The watermark now, in event-time nanoseconds; it never goes back. */
    private long watermark(long nowMillis) {
        long wm = state.maxEventTime == Long.MIN_VALUE ? Long.MIN_VALUE : state.maxEventTime - latenessNanos;
        if (clockClosing) {
            wm = Math.max(wm, nowMillis * 1_000_000L - clockLagNanos);
        }
        if (wm > state.watermark) {
            state.watermark = wm;
        }
        return state.watermark;
    }

    /** The end of the last window a value at {@code t} belongs to (a session it would start). */
    private long lastEnd(long t) {
        return spec.kind() == WindowSpec.Kind.SESSION ? t + sizeNanos : Math.floorDiv(t, hopNanos) * hopNanos + sizeNanos;
    }

    /** Adds to every window containing {@code t} that the watermark {@code wm} has not closed. */
    private void addToWindows(KeyWindows w, Object payload, long t, long wm) {
        long start = Math.floorDiv(t, hopNanos) * hopNanos;
        for (; start > t - sizeNanos && start + sizeNanos > wm; start -= hopNanos) {
            long s = start;
            Open open = w.open.computeIfAbsent(s, x -> new Open(s, s + sizeNanos));
            open.items.add(payload);
            state.earliestEnd = Math.min(state.earliestEnd, open.end);
        }
    }

    private void addToSession(KeyWindows w, Object payload, long t) {
        long gap = sizeNanos;
        Open merged = new Open(t, t + gap);
        // sessions are disjoint and ordered by start, hence by end: walk back from the last one starting before t + gap
        Map.Entry<Long, Open> entry = w.open.lowerEntry(t + gap);
        List<Open> overlapping = new ArrayList<>(2);
        while (entry != null && entry.getValue().end > t) {
            overlapping.add(0, entry.getValue());
            entry = w.open.lowerEntry(entry.getKey());
        }
        for (Open o : overlapping) {
            w.open.remove(o.start);
            merged.start = Math.min(merged.start, o.start);
            merged.end = Math.max(merged.end, o.end);
            merged.items.addAll(o.items);
        }
        merged.items.add(payload);
        w.open.put(merged.start, merged);
        state.earliestEnd = Math.min(state.earliestEnd, merged.end);
    }

    /** Closes every window whose end the watermark reached, across keys; recomputes the earliest end. */
    private void closeDue(long wm, List<Pane<T>> panes) {
        if (wm < state.earliestEnd) {
            return;
        }
        long earliest = Long.MAX_VALUE;
        for (KeyedStates.Node<KeyWindows> node : state.keys.snapshot()) {
            Iterator<Open> it = node.state.open.values().iterator();
            while (it.hasNext()) {
                Open o = it.next();
                if (o.end <= wm) {
                    panes.add(timePane(node.key, o, false));
                    it.remove();
                } else {
                    earliest = Math.min(earliest, o.end);
                }
            }
        }
        state.earliestEnd = earliest;
    }

    @SuppressWarnings("unchecked")
    private Pane<T> timePane(Object k, Open o, boolean early) {
        return new Pane<>(k, Checks.instant(o.start), Checks.instant(o.end), (List<T>) o.items, early);
    }

    /** Under the lock: a timer for when the clock's watermark reaches the earliest end. */
    private void scheduleNext() {
        if (ticker != null && state.earliestEnd != Long.MAX_VALUE) {
            long dueNanos = state.earliestEnd + clockLagNanos;
            ticker.request(Math.floorDiv(dueNanos, 1_000_000L) + (Math.floorMod(dueNanos, 1_000_000L) == 0 ? 0 : 1));
        }
    }

    private void onTick() {
        List<Pane<T>> panes = new ArrayList<>();
        synchronized (state) {
            ticker.fired();
            closeDue(watermark(clock.millis()), panes);
            scheduleNext();
        }
        emitAll(panes);
    }

    // ---- flushing -------------------------------------------------------------------------------------------

    /** An evicted key's open windows, as early panes. */
    private void flushKey(KeyedStates.Node<KeyWindows> node, List<Pane<T>> panes) {
        KeyWindows w = node.state;
        if (!w.items.isEmpty() && (spec.kind() == WindowSpec.Kind.COUNT_TUMBLING || w.sinceLast > 0)) {
            panes.add(countPane(node.key, w, true));
        }
        for (Open o : w.open.values()) {
            panes.add(timePane(node.key, o, true));
        }
    }

    /**
     * Stops the timer and emits every open window as an early pane; a fresh operator forgets them, a retained one
     * keeps them for its successor. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ticker != null) {
            ticker.close();
        }
        List<Pane<T>> panes = new ArrayList<>();
        synchronized (state) {
            for (KeyedStates.Node<KeyWindows> node : state.keys.snapshot()) {
                flushKey(node, panes);
            }
            if (fresh) {
                state.keys.clear();
                state.earliestEnd = Long.MAX_VALUE;
            }
        }
        emitAll(panes);
    }

    private void emitAll(List<Pane<T>> panes) {
        Event<Pane<T>> out = out();
        for (Pane<T> pane : panes) {
            emit(out, pane);
        }
    }

    /** Late payloads so far (kept across restarts with the state). */
    public long lateCount() {
        synchronized (state) {
            return state.late;
        }
    }

    /** The number of keys with state. */
    public int keys() {
        synchronized (state) {
            return state.keys.size();
        }
    }
}
