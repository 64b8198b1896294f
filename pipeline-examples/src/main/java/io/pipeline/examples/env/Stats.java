package io.pipeline.examples.env;

import java.time.Instant;

/**
 * A reading with the rolling statistics of its series, the reading included: one per reading.
 *
 * @param time         the reading's time
 * @param value        the reading's value
 * @param count        readings in the window
 * @param mean         their mean
 * @param std          their sample standard deviation; 0 for fewer than two
 * @param trendPerHour the least-squares slope over the window, in units per hour; 0 for fewer than two
 */
record Stats(Instant time, String location, String sensor, double value, String unit, int count, double mean,
             double std, double trendPerHour) {}
