package io.pipeline.examples.env;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An alert rule with hysteresis: raised when a reading rises above {@code above}, cleared only when one falls
 * below {@code clearBelow}, so a value hovering at the limit does not flap.
 *
 * @param sensor     the sensor's API name
 * @param above      raise above this
 * @param clearBelow clear below this; at most {@code above}
 */
record Threshold(String sensor, double above, double clearBelow) {
    /**
     * The defaults: PM2.5 above the WHO 24-hour guideline of 15 μg/m³ (cleared below 12), PM10 above its
     * guideline of 45 μg/m³ (cleared below 40), temperature above 30 °C (cleared below 28).
     */
    static final List<Threshold> DEFAULTS = List.of(
            new Threshold("pm2_5", 15, 12),
            new Threshold("pm10", 45, 40),
            new Threshold("temperature_2m", 30, 28));

    private static final Pattern SPEC = Pattern.compile("\\s*([a-z0-9_]+)\\s*=\\s*(-?[0-9.]+)(?:\\s*:\\s*(-?[0-9.]+))?\\s*");

    Threshold {
        Objects.requireNonNull(sensor, "sensor");
        if (Sensor.byId(sensor).isEmpty()) {
            throw new IllegalArgumentException("unknown sensor '" + sensor + "'; known: " + sensorIds());
        }
        if (!Double.isFinite(above) || !Double.isFinite(clearBelow) || clearBelow > above) {
            throw new IllegalArgumentException("threshold for " + sensor + " must clear at or below where it is "
                    + "raised: above " + above + ", clear below " + clearBelow);
        }
    }

    /**
     * Reads {@code SENSOR=LIMIT[:CLEAR]}, e.g. {@code pm2_5=25:20}; without {@code CLEAR}, 90 % of the limit.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    static Threshold parse(String spec) {
        Matcher matcher = SPEC.matcher(spec);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + spec + "' is not SENSOR=LIMIT[:CLEAR], e.g. pm2_5=15:12");
        }
        try {
            double above = Double.parseDouble(matcher.group(2));
            double clear = matcher.group(3) == null ? above * 0.9 : Double.parseDouble(matcher.group(3));
            return new Threshold(matcher.group(1), above, clear);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "' has a limit that is not a number");
        }
    }

    private static String sensorIds() {
        return String.join(", ", java.util.Arrays.stream(Sensor.values()).map(Sensor::id).toList());
    }
}
