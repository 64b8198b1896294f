package io.pipeline.sources;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;
import okhttp3.Headers;
import okhttp3.OkHttpClient;

/**
 * The options {@link WebSocketSource.Options} and {@link SseSource.Options} have in common: when to give up, how
 * to back off between reconnects, what to send and with which client, and the clock, scheduler and jitter source.
 * Each public {@code Options} holds one and documents its values for its protocol; the {@code with…} methods here
 * validate and return a copy. Instances are immutable and safe for concurrent use.
 */
final class StreamSettings {
    private final int exceptionThreshold;
    private final Duration reconnectInitial;
    private final Duration reconnectMax;
    private final Headers headers;
    private final OkHttpClient client;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final RandomGenerator random;

    private StreamSettings(int exceptionThreshold, Duration reconnectInitial, Duration reconnectMax, Headers headers,
                           OkHttpClient client, Clock clock, ScheduledExecutorService scheduler,
                           RandomGenerator random) {
        this.exceptionThreshold = exceptionThreshold;
        this.reconnectInitial = reconnectInitial;
        this.reconnectMax = reconnectMax;
        this.headers = headers;
        this.client = client;
        this.clock = clock;
        this.scheduler = scheduler;
        this.random = random;
    }

    /**
     * Give up after 10 failures in a row, reconnect backoff 1 s doubling up to 30 s (jittered), no extra headers,
     * no client and no scheduler of the caller's, the system UTC clock and a new {@link Random}.
     */
    static StreamSettings defaults() {
        return new StreamSettings(10, Duration.ofSeconds(1), Duration.ofSeconds(30), Headers.of(), null,
                Clock.systemUTC(), null, new Random());
    }

    StreamSettings withExceptionThreshold(int threshold) {
        return new StreamSettings(Checks.positive(threshold, "exceptionThreshold"), reconnectInitial, reconnectMax,
                headers, client, clock, scheduler, random);
    }

    /** @throws IllegalArgumentException if {@code initial} is negative or {@code max} is less than it */
    StreamSettings withReconnectBackoff(Duration initial, Duration max) {
        Backoff.jittered(initial, max); // validates
        return new StreamSettings(exceptionThreshold, initial, max, headers, client, clock, scheduler, random);
    }

    /** Replaces an earlier value of header {@code name}. */
    StreamSettings withHeader(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Headers updated = headers.newBuilder().set(name, value).build();
        return new StreamSettings(exceptionThreshold, reconnectInitial, reconnectMax, updated, client, clock,
                scheduler, random);
    }

    StreamSettings withClient(OkHttpClient client) {
        return new StreamSettings(exceptionThreshold, reconnectInitial, reconnectMax, headers,
                Objects.requireNonNull(client, "client"), clock, scheduler, random);
    }

    StreamSettings withClock(Clock clock) {
        return new StreamSettings(exceptionThreshold, reconnectInitial, reconnectMax, headers, client,
                Objects.requireNonNull(clock, "clock"), scheduler, random);
    }

    StreamSettings withScheduler(ScheduledExecutorService scheduler) {
        return new StreamSettings(exceptionThreshold, reconnectInitial, reconnectMax, headers, client, clock,
                Objects.requireNonNull(scheduler, "scheduler"), random);
    }

    StreamSettings withRandom(RandomGenerator random) {
        return new StreamSettings(exceptionThreshold, reconnectInitial, reconnectMax, headers, client, clock,
                scheduler, Objects.requireNonNull(random, "random"));
    }

    int exceptionThreshold() {
        return exceptionThreshold;
    }

    Duration reconnectInitial() {
        return reconnectInitial;
    }

    Duration reconnectMax() {
        return reconnectMax;
    }

    Headers headers() {
        return headers;
    }

    Optional<OkHttpClient> client() {
        return Optional.ofNullable(client);
    }

    Clock clock() {
        return clock;
    }

    Optional<ScheduledExecutorService> scheduler() {
        return Optional.ofNullable(scheduler);
    }

    RandomGenerator random() {
        return random;
    }
}
