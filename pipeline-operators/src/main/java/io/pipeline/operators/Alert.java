package io.pipeline.operators;

import java.time.Instant;

/**
 * A change of one key's alert episode: {@link AlertState#RAISED} once when it starts, {@link AlertState#CLEARED}
 * once when it ends; {@link AlertState#STALE} and its {@code CLEARED} for staleness.
 *
 * <p>Instances are immutable.
 *
 * @param key the key
 * @param rule the rule's name ({@code "stale"} for staleness)
 * @param state what happened
 * @param value the value that caused it (NaN for STALE)
 * @param time the value's event time (for staleness, clock time)
 * @param since when the episode began: the first breaching value, or the last value seen before going stale
 */
public record Alert(Object key, String rule, AlertState state, double value, Instant time, Instant since) {}
