package io.pipeline.operators;

import java.time.Instant;

/**
 * A key's least-squares trend over its rolling window.
 *
 * <p>Instances are immutable.
 *
 * @param key the key
 * @param slope the change of value per {@link Trend}'s unit of time (e.g. °C per hour)
 * @param direction {@code FLAT} when {@code |slope| <= flatBelow}, otherwise {@code RISING} or {@code FALLING}
 * @param count the number of values in the window
 * @param time the newest value's event time
 */
public record TrendPoint(Object key, double slope, Direction direction, int count, Instant time) {}
