package io.pipeline.operators;

import io.pipeline.core.MessageHandler;
import io.pipeline.core.RetainedState;

/**
 * A keyed operator's state as kept in {@link RetainedState}: its keys, and the configuration they were built
 * for. A successor built with another configuration (a new window size, say) starts fresh rather than misread
 * them.
 */
final class KeptKeys<S> {
    final Object config;
    final KeyedStates<S> keys;

    KeptKeys(Object config, OperatorOptions options) {
        this(config, options.maxKeys(), options.idleEviction().toMillis());
    }

    KeptKeys(Object config, int maxKeys, long idleMillis) {
        this.config = config;
        this.keys = new KeyedStates<>(maxKeys, idleMillis);
    }

    /** {@link #resolve} for keys touched at event time: the idle horizon in nanoseconds. */
    static <S> KeyedStates<S> resolveEventTime(KeptKeys<?> kept, Object config, OperatorOptions options,
            MessageHandler handler, String name) {
        return resolve(kept, config, options.maxKeys(), Checks.nanos(options.idleEviction(), "idleEviction"), handler,
                name);
    }

    /** The idle horizon of event-time keys, in nanoseconds. */
    static long idleNanos(OperatorOptions options) {
        return Checks.nanos(options.idleEviction(), "idleEviction");
    }

    /**
     * The keys to use: fresh ones when {@code kept} is null (a fresh operator), the kept ones when they fit
     * {@code config}, otherwise new ones that replace them in the store.
     */
    @SuppressWarnings("unchecked")
    static <S> KeyedStates<S> resolve(KeptKeys<?> kept, Object config, OperatorOptions options,
            MessageHandler handler, String name) {
        return resolve(kept, config, options.maxKeys(), options.idleEviction().toMillis(), handler, name);
    }

    @SuppressWarnings("unchecked")
    static <S> KeyedStates<S> resolve(KeptKeys<?> kept, Object config, int maxKeys, long idleMillis,
            MessageHandler handler, String name) {
        if (kept == null) {
            return new KeyedStates<>(maxKeys, idleMillis);
        }
        if (kept.config.equals(config)) {
            return (KeyedStates<S>) kept.keys;
        }
        KeptKeys<S> replacement = new KeptKeys<>(config, maxKeys, idleMillis);
        RetainedState.of(handler).put(name, replacement);
        return replacement.keys;
    }
}
