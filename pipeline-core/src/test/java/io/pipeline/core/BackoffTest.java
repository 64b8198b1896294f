package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void constantBackoff_atAHugeAttemptNumber_isMinAtOnce() {
        Backoff constant = Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(1)).withMultiplier(1)
                .withJitter(0);

        assertThat(constant.delay(Integer.MAX_VALUE, new SplittableRandom(1))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void hugeAttempt_withForeverMax_saturates() {
        Backoff backoff = Backoff.exponential(Duration.ofNanos(1), ChronoUnit.FOREVER.getDuration()).withJitter(0);

        assertThat(backoff.delay(Integer.MAX_VALUE, new SplittableRandom(1))).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
    }
}
