package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * At most one payload per key per {@code interval} of clock time, latest wins: a key's first payload is emitted
 * on {@link #out()} at once and opens an interval; payloads during the interval replace each other, and the last
 * one is emitted when the interval ends (opening the next). An interval without payloads closes the key.
 *
 * <p>The {@link OperatorOptions#scheduler()} is required: it ends intervals. On {@link #close()} (register it
 * with {@code closeOnStop}) the pending latest payloads are emitted. State: a pending payload per key, at most
 * {@link OperatorOptions#maxKeys()} keys; kept across restarts unless fresh.
 *
 * <p>Thread-safe: payloads and timer ticks may arrive on different threads; its state is guarded by a lock never
 * held while listeners run. Listeners run on the thread that delivered the payload, the tick or the close.
 */
public final class Throttle<T> extends Processor implements AutoCloseable {
    private final Function<? super T, ?> key;
    private final long intervalMillis;
    private final Clock clock;
    private final Ticker ticker;
    private final KeyedStates<Slot> keys;

    /** One key's open interval: when it ends and the latest payload waiting, if any. */
    static final class Slot {
        long ends;
        Object latest;
    }

    /** @throws IllegalArgumentException if {@code interval} is not positive or {@code options} has no scheduler */
    public Throttle(String name, MessageHandler handler, Function<? super T, ?> key, Duration interval,
            OperatorOptions options) {
        super(name, handler);
        this.key = Objects.requireNonNull(key, "key");
        this.intervalMillis = Checks.positiveMillis(interval, "throttle interval").toMillis();
        this.clock = options.clock();
        this.ticker = new Ticker(this, handler, clock, options.requireScheduler(name));
        Object config = List.of(interval, options.maxKeys());
        int maxKeys = options.maxKeys();
        // open intervals are never idle: they end on the timer
        this.keys = KeptKeys.resolve(options.freshState() ? null
                : retainedState(KeptKeys.class, () -> new KeptKeys<>(config, maxKeys, Long.MAX_VALUE)), config,
                maxKeys, Long.MAX_VALUE, handler, name);
        ticker.onTick(() -> flushDue(clock.millis(), false));
        synchronized (keys) {
            scheduleNext();
        }
    }

    /** The event throttled payloads are emitted on. */
    public Event<T> out() {
        return Outputs.out();
    }

    /** Emits {@code payload} now if its key has no open interval, otherwise keeps it as the latest. */
    public void accept(T payload) {
        Object k = key.apply(payload);
        if (k == null) {
            emit(ERROR, new BadInputException(name(), null, "key is null"));
            return;
        }
        long now = clock.millis();
        boolean emitNow;
        synchronized (keys) {
            KeyedStates.Node<Slot> node = keys.find(k);
            if (node != null) {
                node.state.latest = payload;
                emitNow = false;
            } else {
                Slot slot = new Slot();
                slot.ends = now + intervalMillis;
                keys.touch(k, now, x -> slot, null);
                scheduleNext();
                emitNow = true;
            }
        }
        if (emitNow) {
            emit(Outputs.OUT, payload);
        }
    }

    /** Ends every interval due by {@code now} (all of them when {@code all}), emitting their latest payloads. */
    private void flushDue(long now, boolean all) {
        List<Object> out = new ArrayList<>();
        synchronized (keys) {
            if (!all) {
                ticker.fired();
            }
            KeyedStates.Node<Slot> eldest;
            // Slots are in order of opening, hence of ending: stop at the first one still open.
            while ((eldest = keys.eldest()) != null && (all || eldest.state.ends <= now)) {
                Slot slot = eldest.state;
                if (slot.latest == null || all) {
                    keys.remove(eldest);
                    if (slot.latest != null) {
                        out.add(slot.latest);
                    }
                } else {
                    out.add(slot.latest);
                    slot.latest = null;
                    slot.ends = now + intervalMillis;
                    keys.moveToNewest(eldest);
                }
            }
            if (!all) {
                scheduleNext();
            }
        }
        for (Object payload : out) {
            emit(Outputs.OUT, payload);
        }
    }

    private void scheduleNext() {
        KeyedStates.Node<Slot> eldest = keys.eldest();
        if (eldest != null) {
            ticker.request(eldest.state.ends);
        }
    }

    /** The number of keys with an open interval. */
    public int keys() {
        synchronized (keys) {
            return keys.size();
        }
    }

    /** Stops the timer and emits every pending latest payload. Idempotent. */
    @Override
    public void close() {
        ticker.close();
        flushDue(clock.millis(), true);
    }
}
