package io.pipeline.operators;

import java.time.Instant;

/**
 * A value that lay more than the threshold away from what its key's preceding window expected.
 *
 * <p>Instances are immutable.
 *
 * @param key the key
 * @param value the value
 * @param expected the preceding window's mean (z-score) or median (robust)
 * @param spread the preceding window's standard deviation, or its MAD × 1.4826
 * @param score {@code (value − expected) / spread}; infinite when the spread is zero
 * @param time the value's event time
 */
public record Anomaly(Object key, double value, double expected, double spread, double score, Instant time) {}
