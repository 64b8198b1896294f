package io.pipeline.examples.env;

import java.time.Instant;

/**
 * An alert raised or cleared.
 *
 * @param time     the reading's time for a threshold alert; the time of the check for a staleness alert
 * @param subject  the sensor's API name ({@code pm2_5}) for a threshold alert, the feed's id
 *                 ({@code air_quality}) for a staleness alert
 * @param value    the reading that raised or cleared it; NaN for staleness
 * @param limit    the threshold crossed (the clear level when cleared); for staleness, seconds of silence allowed
 * @param message  one line for people
 */
record Alert(Instant time, String location, String subject, Kind kind, State state, double value, double limit,
             String message) {
    /** What the alert is about. */
    enum Kind { THRESHOLD, STALE }

    /** Raised, or cleared again. */
    enum State { RAISED, CLEARED }
}
