package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Threshold alerts per key with hysteresis, a minimum duration and a cooldown (see {@link AlertRule}): for each
 * key and each episode, exactly one {@link AlertState#RAISED} and one {@link AlertState#CLEARED} on
 * {@link #ALERT} — never an alert storm while a value hovers around the threshold.
 *
 * <p>Per key the rule is in one of three phases: OK; PENDING (breaching, waiting for the {@code for} duration or
 * the cooldown to pass); FIRING (raised, waiting to clear). Values are taken in arrival order with their event
 * times; an out-of-order time never shortens a wait.
 *
 * <p>Bad input, state bound, restarts and threads as for {@link RollingStats}; a key's state is about 120 bytes.
 * An evicted key's open episode is forgotten without a {@code CLEARED}.
 */
public final class ThresholdAlert<T> extends Processor {
    /** Episode changes. */
    public static final Event<Alert> ALERT = Event.of("alert", Alert.class);

    private final Reader<T> reader;
    private final AlertRule rule;
    private final long forNanos;
    private final long cooldownNanos;
    private final KeyedStates<Episode> keys;

    /** One key's phase. */
    static final class Episode {
        boolean firing;
        boolean pending;
        long since;
        Instant sinceTime;
        long clearedAt = Long.MIN_VALUE;
    }

    public ThresholdAlert(String name, MessageHandler handler, Series<T> series, AlertRule rule) {
        this(name, handler, series, rule, OperatorOptions.defaults());
    }

    public ThresholdAlert(String name, MessageHandler handler, Series<T> series, AlertRule rule, OperatorOptions options) {
        super(name, handler);
        this.reader = new Reader<>(Objects.requireNonNull(series, "series"));
        this.rule = Objects.requireNonNull(rule, "rule");
        this.forNanos = rule.forDuration().toNanos();
        this.cooldownNanos = rule.cooldown().toNanos();
        Object config = List.of(rule, options.maxKeys());
        this.keys = KeptKeys.resolveEventTime(options.freshState() ? null
                : retainedState(KeptKeys.class, () -> new KeptKeys<>(config, options.maxKeys(), KeptKeys.idleNanos(options))),
                config, options, handler, name);
    }

    /** Applies the rule to one value; emits RAISED or CLEARED when the key's episode changes. */
    public void accept(T payload) {
        Reader<T> in = reader;
        String problem = in.read(payload);
        if (problem != null) {
            emit(ERROR, new BadInputException(name(), in.key, problem));
            return;
        }
        KeyedStates.Node<Episode> node = keys.touchAtEventTime(in.key, in.nanos, key -> new Episode(), null);
        Alert alert = step(node.state, in.key, in.value, in.nanos, in.time);
        if (alert != null) {
            emit(ALERT, alert);
        }
    }

    private Alert step(Episode e, Object key, double x, long t, Instant time) {
        if (e.firing) {
            if (rule.clears(x)) {
                e.firing = false;
                e.clearedAt = t;
                return new Alert(key, rule.name(), AlertState.CLEARED, x, time, e.sinceTime);
            }
            return null;
        }
        if (!rule.breaches(x)) {
            e.pending = false;
            return null;
        }
        if (!e.pending) {
            e.pending = true;
            e.since = t;
            e.sinceTime = time;
        }
        boolean waited = t - e.since >= forNanos;
        boolean cooled = e.clearedAt == Long.MIN_VALUE || t - e.clearedAt >= cooldownNanos;
        if (waited && cooled) {
            e.pending = false;
            e.firing = true;
            return new Alert(key, rule.name(), AlertState.RAISED, x, time, e.sinceTime);
        }
        return null;
    }

    /** The rule. */
    public AlertRule rule() {
        return rule;
    }

    /** The number of keys with state. */
    public int keys() {
        return keys.size();
    }
}
