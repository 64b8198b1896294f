package io.pipeline.operators;

import java.time.Instant;

/**
 * A key's exponentially weighted moving average after one value.
 *
 * <p>Instances are immutable.
 *
 * @param key the key
 * @param value the value
 * @param average the EWMA, the value included
 * @param time the value's event time
 */
public record Smoothed(Object key, double value, double average, Instant time) {}
