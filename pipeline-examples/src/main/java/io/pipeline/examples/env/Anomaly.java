package io.pipeline.examples.env;

import java.time.Instant;

/**
 * A reading far from its series' recent values.
 *
 * @param mean the rolling mean before this reading
 * @param std  the rolling standard deviation before this reading
 * @param z    {@code (value - mean) / std}
 */
record Anomaly(Instant time, String location, String sensor, double value, String unit, double mean, double std,
               double z) {}
