package io.pipeline.core;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The restart bookkeeping of one manager under a {@link RestartPolicy}: which attempt the next failure is (for
 * the backoff), when the latest failures were (for {@link RestartPolicy#withMaxRestarts}), and when a healthy
 * run resets the backoff. The policy says what the rules are; this applies them to one manager's history.
 *
 * <p>Only failures count: a normal finish is always restarted after the first wait and leaves the attempt and
 * the window untouched. All arithmetic saturates, so durations up to {@link java.time.temporal.ChronoUnit#FOREVER}
 * work.
 *
 * <p>Not thread-safe: its {@code Slot} guards it.
 */
final class RestartTracker {
    /** What follows the end of a manager. */
    sealed interface Decision permits Restart, GiveUp {}

    /** Build a fresh manager after {@code delay}. */
    record Restart(Duration delay) implements Decision {}

    /** Do not build a fresh manager. */
    record GiveUp() implements Decision {}

    private static final GiveUp GIVE_UP = new GiveUp();
    /** How many failures {@link #recentFailures} needs to see at least: "restarted repeatedly" is two. */
    private static final int KEPT_FAILURES = 2;

    private final RestartPolicy policy;
    private final RandomGenerator random;
    /** The failure-restart number since the last reset: 1 for the first. */
    private int attempt;
    /** When the failures that led to a restart were handled, oldest first. */
    private final ArrayDeque<Instant> failures = new ArrayDeque<>();

    RestartTracker(RestartPolicy policy, RandomGenerator random) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Decides what follows the end, at {@code now}, of a manager started at {@code startedAt} ({@code null} if
     * none was built since the last decision: a factory failure, which is no healthy run and never resets the
     * backoff). {@code cause} is its failure, or {@code null} for a normal finish (after a run of
     * {@link RestartPolicy#resetAfter()} or more, it resets the backoff too).
     */
    Decision decide(Instant now, Instant startedAt, Throwable cause) {
        Objects.requireNonNull(now, "now");
        if (!policy.restarts()) {
            return GIVE_UP;
        }
        if (cause == null) {
            if (ranFor(startedAt, now, policy.resetAfter())) {
                attempt = 0; // a healthy run that finished normally: the next failure is a first one again
            }
            return new Restart(policy.delay(1, random));
        }
        forgetBefore(horizon(now, healthWindow()));
        if (policy.exhausted(failures.size())) {
            return GIVE_UP;
        }
        if (ranFor(startedAt, now, policy.resetAfter())) {
            attempt = 0;
        }
        if (attempt < Integer.MAX_VALUE) {
            attempt++;
        }
        Duration delay = policy.delay(attempt, random);
        failures.addLast(now);
        while (failures.size() > KEPT_FAILURES && failures.size() > policy.maxRestarts().orElse(0)) {
            failures.pollFirst(); // only the latest few matter: bounded memory for a manager failing forever
        }
        return new Restart(delay);
    }

    /** Whether a manager started at {@code startedAt} ({@code null}: none was built) ran at least {@code time}. */
    private static boolean ranFor(Instant startedAt, Instant now, Duration time) {
        return startedAt != null && Duration.between(startedAt, now).compareTo(time) >= 0;
    }

    /**
     * How many failure restarts happened within the policy's window before {@code now} (its
     * {@link RestartPolicy#window()}, or {@link RestartPolicy#resetAfter()} without one).
     */
    int recentFailures(Instant now) {
        Instant horizon = horizon(now, policy.window().orElse(policy.resetAfter()));
        int count = 0;
        for (Instant failure : failures) {
            if (!failure.isBefore(horizon)) {
                count++;
            }
        }
        return count;
    }

    /** The window failures count in: the policy's {@link RestartPolicy#window()}, else its reset time. */
    Duration healthWindow() {
        return policy.window().orElse(policy.resetAfter());
    }

    private void forgetBefore(Instant horizon) {
        while (!failures.isEmpty() && failures.peekFirst().isBefore(horizon)) {
            failures.pollFirst();
        }
    }

    /** {@code now - window}, saturated at {@link Instant#MIN}; a {@code null} window keeps everything. */
    private static Instant horizon(Instant now, Duration window) {
        if (window == null) {
            return Instant.MIN;
        }
        try {
            return now.minus(window);
        } catch (DateTimeException | ArithmeticException beyondTime) {
            return Instant.MIN;
        }
    }
}
