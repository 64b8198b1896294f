package io.pipeline.sources;

import io.pipeline.core.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;
import okhttp3.Headers;
import okhttp3.OkHttpClient;

/**
 * The options {@link WebSocketSource.Options} and {@link SseSource.Options} have in common: when to give up, how
 * to back off between reconnects, what to send and with which client, the clock, scheduler and jitter source, and
 * what the stall watchdog expects (an interval, null for none, and whether to restart a stalled source).
 * Each public {@code Options} holds one and documents its values for its protocol; the {@code with…} methods here
 * validate and return a copy. Instances are immutable and safe for concurrent use.
 */
record StreamSettings(int exceptionThreshold, Backoff backoff, Headers headers, OkHttpClient client, Clock clock,
                      ScheduledExecutorService scheduler, RandomGenerator random, Duration expectedInterval,
                      boolean restartWhenStalled) {
    /** The reconnect backoff's jitter: up to 20 % added, so that clients do not reconnect in step. */
    static final double RECONNECT_JITTER = Backoff.DEFAULT_JITTER;

    /**
     * Give up after 10 failures in a row, reconnect backoff 1 s doubling up to 30 s (jittered), no extra headers,
     * no client and no scheduler of the caller's, the system UTC clock and a new {@link Random}.
     */
    static StreamSettings defaults() {
        return new StreamSettings(10, Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30)),
                Headers.of(), null, Clock.systemUTC(), null, new Random(), null, false);
    }

    StreamSettings withExceptionThreshold(int threshold) {
        return new StreamSettings(Checks.positive(threshold, "exceptionThreshold"), backoff, headers, client, clock,
                scheduler, random, expectedInterval, restartWhenStalled);
    }

    /** @throws IllegalArgumentException if {@code initial} is not positive or {@code max} is less than it */
    StreamSettings withReconnectBackoff(Duration initial, Duration max) {
        Objects.requireNonNull(initial, "reconnectBackoff initial");
        Objects.requireNonNull(max, "reconnectBackoff max");
        Backoff backoff;
        try {
            backoff = Backoff.exponential(initial, max);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("reconnectBackoff(initial " + initial + ", max " + max + "): "
                    + e.getMessage(), e);
        }
        return new StreamSettings(exceptionThreshold, backoff, headers, client, clock,
                scheduler, random, expectedInterval, restartWhenStalled);
    }

    /** Replaces an earlier value of header {@code name}. */
    StreamSettings withHeader(String name, String value) {
        return new StreamSettings(exceptionThreshold, backoff, HeaderValues.set(headers, name, value), client, clock,
                scheduler, random, expectedInterval, restartWhenStalled);
    }

    StreamSettings withClient(OkHttpClient client) {
        return new StreamSettings(exceptionThreshold, backoff, headers, Objects.requireNonNull(client, "client"),
                clock, scheduler, random, expectedInterval, restartWhenStalled);
    }

    StreamSettings withClock(Clock clock) {
        return new StreamSettings(exceptionThreshold, backoff, headers, client, Objects.requireNonNull(clock, "clock"),
                scheduler, random, expectedInterval, restartWhenStalled);
    }

    StreamSettings withScheduler(ScheduledExecutorService scheduler) {
        return new StreamSettings(exceptionThreshold, backoff, headers, client, clock,
                Objects.requireNonNull(scheduler, "scheduler"), random, expectedInterval, restartWhenStalled);
    }

    StreamSettings withRandom(RandomGenerator random) {
        return new StreamSettings(exceptionThreshold, backoff, headers, client, clock, scheduler,
                Objects.requireNonNull(random, "random"), expectedInterval, restartWhenStalled);
    }

    /** @throws IllegalArgumentException if {@code interval} is not positive */
    StreamSettings withExpectedInterval(Duration interval) {
        return new StreamSettings(exceptionThreshold, backoff, headers, client, clock, scheduler, random,
                Checks.positive(Objects.requireNonNull(interval, "interval"), "expectedInterval"),
                restartWhenStalled);
    }

    StreamSettings withRestartWhenStalled(boolean restart) {
        return new StreamSettings(exceptionThreshold, backoff, headers, client, clock, scheduler, random,
                expectedInterval, restart);
    }

    Duration reconnectInitial() {
        return backoff.min();
    }

    Duration reconnectMax() {
        return backoff.max();
    }
}
