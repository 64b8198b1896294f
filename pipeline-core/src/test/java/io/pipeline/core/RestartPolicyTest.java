package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    @Test
    void backoff_doublesFromMinUpToMax() {
        RestartPolicy policy = RestartPolicy.backoff(Duration.ofMillis(100), Duration.ofSeconds(1));

        assertThat(policy.delay(1, 0)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.delay(2, 0)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.delay(4, 0)).isEqualTo(Duration.ofMillis(800));
        assertThat(policy.delay(5, 0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delay(1_000, 0)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void backoff_defaultRandomFactorIsPointTwo() {
        RestartPolicy policy = RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(10));

        assertThat(policy.randomFactor()).isEqualTo(0.2);
        assertThat(policy.delay(1, 0.5)).isEqualTo(Duration.ofMillis(1_100));
    }

    @Test
    void never_doesNotRestart_andRejectsTuning() {
        assertThat(RestartPolicy.never().restarts()).isFalse();
        assertThatThrownBy(() -> RestartPolicy.never().withRandomFactor(0.1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void maxRestarts_countsWithinWindow() {
        RestartPolicy policy = RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .withMaxRestarts(3, Duration.ofMinutes(1));

        assertThat(policy.maxRestarts()).contains(3);
        assertThat(policy.window()).contains(Duration.ofMinutes(1));
        assertThat(policy.exhausted(2)).isFalse();
        assertThat(policy.exhausted(3)).isTrue();
    }

    @Test
    void badValues_areRejectedWithTheValue() {
        Duration second = Duration.ofSeconds(1);
        assertThatThrownBy(() -> RestartPolicy.backoff(Duration.ofSeconds(-1), second))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> RestartPolicy.backoff(Duration.ofSeconds(2), second))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1S");
        assertThatThrownBy(() -> RestartPolicy.backoff(second, second).withRandomFactor(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
        assertThatThrownBy(() -> RestartPolicy.backoff(second, second).withMaxRestarts(-1, second))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> RestartPolicy.backoff(second, second).withMaxRestarts(1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void backoff_withZeroMin_isRejectedNamingTheValue() {
        assertThatThrownBy(() -> RestartPolicy.backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S").hasMessageContaining("min");
    }

    @Test
    void foreverDurations_areAccepted_andDelaysSaturate() {
        Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
        RestartPolicy policy = RestartPolicy.backoff(Duration.ofSeconds(1), forever)
                .withMaxRestarts(5, forever).withResetAfter(forever);

        assertThat(policy.delay(1, 0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delay(Integer.MAX_VALUE, 0.99)).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(RestartPolicy.backoff(forever, forever).delay(3, 0.5)).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(policy.window()).contains(forever);
        assertThat(policy.resetAfter()).isEqualTo(forever);
    }

    @Test
    void delay_isTheBackoffOfTheSameMinMaxAndJitter() {
        RestartPolicy policy = RestartPolicy.backoff(Duration.ofMillis(300), Duration.ofSeconds(5)).withRandomFactor(0.1);
        Backoff backoff = Backoff.exponential(Duration.ofMillis(300), Duration.ofSeconds(5)).withJitter(0.1);

        for (int attempt = 1; attempt < 10; attempt++) {
            java.util.SplittableRandom a = new java.util.SplittableRandom(attempt);
            java.util.SplittableRandom b = new java.util.SplittableRandom(attempt);
            assertThat(policy.delay(attempt, a)).isEqualTo(backoff.delay(attempt, b));
        }
    }
}
