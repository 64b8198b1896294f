package io.pipeline.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Checks and merges the caller's client configuration. Values are never printed: they may hold secrets. */
final class Configs {
    private Configs() {}

    /** An immutable copy of {@code config}, with every key and value checked for null. */
    static Map<String, Object> copy(Map<String, ?> config) {
        Objects.requireNonNull(config, "config");
        Map<String, Object> copy = new TreeMap<>();
        config.forEach((key, value) -> {
            Objects.requireNonNull(key, "config key");
            Objects.requireNonNull(value, () -> "config value of '" + key + "'");
            copy.put(key, value);
        });
        return Map.copyOf(copy);
    }

    /**
     * Sets {@code key} to {@code value}, refusing a caller's different setting: the connector depends on it.
     *
     * @throws IllegalArgumentException if the caller set {@code key} to something else
     */
    static void force(Map<String, Object> config, String key, Object value, String why) {
        Object existing = config.get(key);
        if (existing != null && !text(existing).equalsIgnoreCase(text(value))) {
            throw new IllegalArgumentException("config '" + key + "' must be " + value + " (" + why + ")");
        }
        config.put(key, value);
    }

    private static String text(Object value) {
        return value instanceof Class<?> type ? type.getName() : String.valueOf(value);
    }

    /** For {@code toString()}: the keys only (values may be secrets), plus the values of a few harmless keys. */
    static String describe(Map<String, Object> config) {
        StringBuilder text = new StringBuilder("{");
        for (String key : new TreeMap<>(config).keySet()) {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append(key);
            if (key.equals("bootstrap.servers") || key.equals("group.id") || key.equals("client.id")) {
                text.append('=').append(config.get(key));
            } else {
                text.append("=***");
            }
        }
        return text.append('}').toString();
    }

    /** {@code duration} in milliseconds, saturated to an {@code int} (Kafka's millisecond settings are ints). */
    static int millis(Duration duration) {
        long millis;
        try {
            millis = duration.toMillis();
        } catch (ArithmeticException e) {
            millis = Long.MAX_VALUE;
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, millis));
    }

    /** The longest duration a setting takes; longer ones are cut to it, so that no arithmetic on them overflows. */
    static final Duration MAX_DURATION = Duration.ofDays(365);

    /**
     * {@code duration}, cut to {@link #MAX_DURATION}.
     *
     * @throws IllegalArgumentException if {@code duration} is zero or negative
     */
    static Duration positive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " <= 0: " + duration);
        }
        return duration.compareTo(MAX_DURATION) > 0 ? MAX_DURATION : duration;
    }
}
