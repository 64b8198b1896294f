package io.pipeline.examples.env;

import java.time.Instant;
import java.util.Objects;

/**
 * One measurement of one sensor at one location, as the API reported it; a line of the history file.
 *
 * @param time     the API's {@code current.time}, in UTC
 * @param location the location's name
 * @param sensor   the sensor's API name, e.g. {@code pm2_5}
 * @param value    the value, finite
 * @param unit     the unit the API gave in {@code current_units}
 */
record Reading(Instant time, String location, String sensor, double value, String unit) {
    Reading {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(sensor, "sensor");
        Objects.requireNonNull(unit, "unit");
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value of " + location + " " + sensor + " is not finite: " + value);
        }
    }
}
