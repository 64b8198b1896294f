package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Drops repeats: emits a payload on {@link #out()} unless a payload with an equal dedup key was emitted less than
 * {@code horizon} ago (clock time). For a poller that sees Open-Meteo's {@code current.time} repeated for 15
 * minutes, the key is the location and that time, and the horizon 20 minutes:
 *
 * <pre>{@code
 * new Dedup<Weather>(processorName("dedup"), handler, w -> List.of(w.location(), w.time()), Duration.ofMinutes(20), options)
 * }</pre>
 *
 * <p>A key is remembered from its first emit for {@code horizon}; repeats do not extend it. Memory is bounded by
 * {@link OperatorOptions#maxKeys()} keys (about 100 bytes each plus the key): past it the eldest key is forgotten
 * early, so a repeat of it would pass. Kept across restarts unless fresh, so a restart does not re-emit.
 *
 * <p>Threads as for {@link RollingStats}. A null key is emitted as a {@link BadInputException} on {@code ERROR}.
 */
public final class Dedup<T> extends Processor {
    private final Function<? super T, ?> key;
    private final long horizonMillis;
    private final Clock clock;
    private final KeyedStates<Boolean> seen;
    private long duplicates;

    /** @throws IllegalArgumentException if {@code horizon} is not positive */
    public Dedup(String name, MessageHandler handler, Function<? super T, ?> key, Duration horizon,
            OperatorOptions options) {
        super(name, handler);
        this.key = Objects.requireNonNull(key, "key");
        this.horizonMillis = Checks.positiveMillis(horizon, "dedup horizon").toMillis();
        this.clock = options.clock();
        Object config = List.of(horizon, options.maxKeys());
        // The horizon is the idle time: entries are never touched again, so the eldest is the first to expire.
        int maxKeys = options.maxKeys();
        long horizonMs = horizonMillis;
        this.seen = KeptKeys.resolve(options.freshState() ? null
                : retainedState(KeptKeys.class, () -> new KeptKeys<>(config, maxKeys, horizonMs)), config,
                maxKeys, horizonMs, handler, name);
    }

    /** The event first sightings are emitted on. */
    public Event<T> out() {
        return Outputs.out();
    }

    /** Emits {@code payload} unless its key was emitted within the horizon. */
    public void accept(T payload) {
        Object k = key.apply(payload);
        if (k == null) {
            emit(ERROR, new BadInputException(name(), null, "key is null"));
            return;
        }
        long now = clock.millis();
        seen.evictIdle(now, null);
        if (seen.find(k) != null) {
            duplicates++;
            return;
        }
        seen.touch(k, now, x -> Boolean.TRUE, null);
        emit(Outputs.OUT, payload);
    }

    /** Payloads dropped as repeats so far by this instance. */
    public long duplicates() {
        return duplicates;
    }

    /** The number of keys remembered. */
    public int keys() {
        return seen.size();
    }

    /** The horizon in milliseconds. */
    long horizonMillis() {
        return horizonMillis;
    }
}
