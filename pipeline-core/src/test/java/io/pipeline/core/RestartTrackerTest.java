package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RestartTrackerTest {
    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    static final RuntimeException FAILURE = new IllegalStateException("x");

    final RestartPolicy policy = RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(8)).withRandomFactor(0);

    static RestartTracker.Decision restartAfter(long seconds) {
        return new RestartTracker.Restart(Duration.ofSeconds(seconds));
    }

    @Test
    void failures_growTheDelayUpToMax() {
        RestartTracker tracker = new RestartTracker(policy, new SplittableRandom(1));

        assertThat(tracker.decide(T0, T0, FAILURE)).isEqualTo(restartAfter(1));
        assertThat(tracker.decide(T0.plusSeconds(2), T0.plusSeconds(1), FAILURE)).isEqualTo(restartAfter(2));
        assertThat(tracker.decide(T0.plusSeconds(5), T0.plusSeconds(4), FAILURE)).isEqualTo(restartAfter(4));
        assertThat(tracker.decide(T0.plusSeconds(10), T0.plusSeconds(9), FAILURE)).isEqualTo(restartAfter(8));
        assertThat(tracker.decide(T0.plusSeconds(19), T0.plusSeconds(18), FAILURE)).isEqualTo(restartAfter(8));
    }

    @Test
    void normalFinish_alwaysRestartsAfterMin_andLeavesTheAttemptAlone() {
        RestartTracker tracker = new RestartTracker(policy, new SplittableRandom(1));
        tracker.decide(T0, T0, FAILURE);
        tracker.decide(T0.plusSeconds(2), T0.plusSeconds(1), FAILURE);

        for (int i = 0; i < 100; i++) {
            assertThat(tracker.decide(T0.plusSeconds(3), T0.plusSeconds(3), null)).isEqualTo(restartAfter(1));
        }
        assertThat(tracker.decide(T0.plusSeconds(4), T0.plusSeconds(4), FAILURE)).isEqualTo(restartAfter(4));
    }

    @Test
    void healthyRunOfResetAfter_startsAgainFromMin() {
        RestartTracker tracker = new RestartTracker(policy, new SplittableRandom(1));
        tracker.decide(T0, T0, FAILURE);
        tracker.decide(T0.plusSeconds(2), T0.plusSeconds(1), FAILURE);

        assertThat(tracker.decide(T0.plusSeconds(20), T0.plusSeconds(12), FAILURE)).isEqualTo(restartAfter(1));
    }

    @Test
    void maxRestartsWithinWindow_givesUp_andOldFailuresAgeOut() {
        RestartTracker tracker = new RestartTracker(policy.withMaxRestarts(2, Duration.ofMinutes(1)),
                new SplittableRandom(1));
        tracker.decide(T0, T0, FAILURE);
        tracker.decide(T0.plusSeconds(1), T0, FAILURE);

        assertThat(tracker.decide(T0.plusSeconds(2), T0, FAILURE)).isInstanceOf(RestartTracker.GiveUp.class);
        assertThat(tracker.decide(T0.plusSeconds(61), T0.plusSeconds(60), FAILURE))
                .isInstanceOf(RestartTracker.Restart.class);
    }

    @Test
    void never_givesUpEvenOnANormalFinish() {
        RestartTracker tracker = new RestartTracker(RestartPolicy.never(), new SplittableRandom(1));

        assertThat(tracker.decide(T0, T0, null)).isInstanceOf(RestartTracker.GiveUp.class);
        assertThat(tracker.decide(T0, T0, FAILURE)).isInstanceOf(RestartTracker.GiveUp.class);
    }

    @Test
    void foreverWindowAndReset_neitherThrowNorForget() {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        RestartTracker tracker = new RestartTracker(RestartPolicy.backoff(Duration.ofSeconds(1), forever)
                .withRandomFactor(0).withMaxRestarts(3, forever).withResetAfter(forever), new SplittableRandom(1));

        for (int i = 0; i < 3; i++) {
            assertThat(tracker.decide(T0.plus(Duration.ofDays(365L * i)), T0, FAILURE))
                    .isEqualTo(restartAfter(1L << i));
        }
        assertThat(tracker.decide(Instant.MAX, T0, FAILURE)).isInstanceOf(RestartTracker.GiveUp.class);
        assertThat(tracker.recentFailures(Instant.MAX)).isEqualTo(3);
    }

    @Test
    void recentFailures_countsWithinTheResetTimeWithoutAWindow() {
        RestartTracker tracker = new RestartTracker(policy, new SplittableRandom(1)); // resetAfter = max = 8 s
        tracker.decide(T0, T0, FAILURE);
        tracker.decide(T0.plusSeconds(2), T0.plusSeconds(1), FAILURE);

        assertThat(tracker.recentFailures(T0.plusSeconds(3))).isEqualTo(2);
        assertThat(tracker.recentFailures(T0.plusSeconds(9))).isEqualTo(1);
        assertThat(tracker.recentFailures(T0.plusSeconds(11))).isZero();
    }

    @Test
    void aManagerFailingForever_keepsOnlyTheLatestFailures() {
        RestartTracker tracker = new RestartTracker(policy, new SplittableRandom(1));

        for (int i = 0; i < 100_000; i++) {
            tracker.decide(T0, T0, FAILURE);
        }

        assertThat(tracker.recentFailures(T0)).isEqualTo(2);
    }
}
