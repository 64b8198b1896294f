package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Staleness per key: when no value of key K has arrived within {@code timeout} of clock time, emits
 * {@link AlertState#STALE} for K on {@link #ALERT}, once; K's next value emits {@link AlertState#CLEARED}
 * (rule {@code "stale"}) and is otherwise ignored. A key becomes known with its first value.
 *
 * <p>Staleness is arrival time, read from {@link OperatorOptions#clock()}; the check is driven by the
 * {@link OperatorOptions#scheduler()}, which is required, at the exact moment the eldest key's timeout ends.
 * Inside a manager, the first check waits until the manager has started ({@link io.pipeline.core.StartGate}): a
 * key its predecessor left overdue goes stale then, heard by the listeners the manager subscribed, and not on the
 * scheduler's thread while the manager is still being wired.
 *
 * <p>State: about 120 bytes per key, live and stale keys together bounded by {@link OperatorOptions#maxKeys()};
 * a stale key is forgotten after {@link OperatorOptions#idleEviction()} without a value (no further alert).
 * Kept across restarts unless fresh.
 *
 * <p>Thread-safe: values and timer ticks may arrive on different threads; its state is guarded by a lock that is
 * never held while listeners run. Listeners run on the thread that delivered the value or the tick.
 */
public final class StalenessAlert<T> extends Processor implements AutoCloseable {
    /** STALE and CLEARED. */
    public static final Event<Alert> ALERT = Event.of("alert", Alert.class);
    static final String RULE = "stale";

    private final Function<? super T, ?> key;
    private final long timeoutMillis;
    private final Clock clock;
    private final Ticker ticker;
    private final Kept state;

    /** Live keys ordered by last value, and stale keys ordered by when they went stale. */
    static final class Kept {
        final Object config;
        final KeyedStates<Instant> live;
        final KeyedStates<Instant> stale;

        Kept(Object config, OperatorOptions options) {
            this.config = config;
            // live keys are never idle-evicted: going stale is what happens to them
            this.live = new KeyedStates<>(options.maxKeys(), Long.MAX_VALUE);
            this.stale = new KeyedStates<>(options.maxKeys(), options.idleEviction().toMillis());
        }
    }

    /**
     * @throws IllegalArgumentException if {@code timeout} is not positive or {@code options} has no scheduler
     */
    public StalenessAlert(String name, MessageHandler handler, Function<? super T, ?> key, Duration timeout,
            OperatorOptions options) {
        super(name, handler);
        this.key = Objects.requireNonNull(key, "key");
        this.timeoutMillis = Checks.positiveMillis(timeout, "staleness timeout").toMillis();
        this.clock = options.clock();
        this.ticker = new Ticker(this, handler, clock, options.requireScheduler(name));
        Object config = List.of(timeout, options.maxKeys());
        Kept kept = options.freshState() ? null : retainedState(Kept.class, () -> new Kept(config, options));
        if (kept == null || !kept.config.equals(config)) {
            kept = new Kept(config, options);
            if (!options.freshState()) {
                io.pipeline.core.RetainedState.of(handler).put(name, kept);
            }
        }
        this.state = kept;
        ticker.onTick(this::tick);
        synchronized (state) {
            scheduleNext();
        }
    }

    /** Notes a value of its key; clears the key's staleness if it was stale. */
    public void accept(T payload) {
        Object k = key.apply(payload);
        if (k == null) {
            emit(ERROR, new BadInputException(name(), null, "key is null"));
            return;
        }
        long now = clock.millis();
        Alert cleared = null;
        synchronized (state) {
            KeyedStates.Node<Instant> wasStale = state.stale.find(k);
            if (wasStale != null) {
                state.stale.remove(wasStale);
                cleared = new Alert(k, RULE, AlertState.CLEARED, Double.NaN, Instant.ofEpochMilli(now), wasStale.state);
            }
            state.live.touch(k, now, x -> null, null).state = Instant.ofEpochMilli(now);
            scheduleNext();
        }
        if (cleared != null) {
            emit(ALERT, cleared);
        }
    }

    private void tick() {
        long now = clock.millis();
        List<Alert> alerts = new ArrayList<>();
        synchronized (state) {
            ticker.fired();
            KeyedStates.Node<Instant> eldest;
            while ((eldest = state.live.eldest()) != null && now - eldest.touched >= timeoutMillis) {
                state.live.remove(eldest);
                Instant lastSeen = eldest.state;
                state.stale.touch(eldest.key, now, x -> lastSeen, null);
                alerts.add(new Alert(eldest.key, RULE, AlertState.STALE, Double.NaN, Instant.ofEpochMilli(now),
                        lastSeen));
            }
            state.stale.evictIdle(now, null);
            scheduleNext();
        }
        for (Alert alert : alerts) {
            emit(ALERT, alert);
        }
    }

    /** Under the lock: a tick when the eldest live key's timeout ends. */
    private void scheduleNext() {
        KeyedStates.Node<Instant> eldest = state.live.eldest();
        if (eldest != null) {
            ticker.request(eldest.touched + timeoutMillis);
        }
    }

    /** The keys currently stale. */
    public int staleKeys() {
        synchronized (state) {
            return state.stale.size();
        }
    }

    /** Stops the timer; nothing to flush. Idempotent. */
    @Override
    public void close() {
        ticker.close();
    }
}
