package io.pipeline.sources;

import java.time.Duration;
import java.time.Instant;
import okhttp3.Headers;

/** Reads a {@code Retry-After} header: delta-seconds or an HTTP-date. Stateless. */
final class RetryAfter {
    private static final String HEADER = "Retry-After";

    private RetryAfter() {}

    /**
     * How long {@code headers} ask the client to wait, counted from {@code now}, between zero and {@code max}.
     *
     * @return null when there is no {@code Retry-After} header or its value is neither form
     */
    static Duration parse(Headers headers, Instant now, Duration max) {
        String value = headers.get(HEADER);
        if (value == null) {
            return null;
        }
        Duration wait;
        String trimmed = value.trim();
        if (!trimmed.isEmpty() && trimmed.chars().allMatch(Character::isDigit)) {
            // 13 digits or more (over 30,000 years) exceed any cap, and could overflow when converted.
            wait = trimmed.length() > 12 ? max : Duration.ofSeconds(Long.parseLong(trimmed));
        } else {
            Instant date = headers.getInstant(HEADER);
            if (date == null) {
                return null;
            }
            wait = Duration.between(now, date);
        }
        if (wait.isNegative()) {
            wait = Duration.ZERO;
        }
        return wait.compareTo(max) > 0 ? max : wait;
    }
}
