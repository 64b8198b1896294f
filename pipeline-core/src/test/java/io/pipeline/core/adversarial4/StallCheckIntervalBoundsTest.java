package io.pipeline.core.adversarial4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Flow;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code stallCheckInterval}: "between 1 ms and a day", both ends included, the bad value named. */
class StallCheckIntervalBoundsTest {
    @Test
    void justUnderAMillisecond_isRefusedNamingTheValue() {
        assertThatThrownBy(() -> Flow.builder().stallCheckInterval(Duration.ofNanos(999_999)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.000999999S");
        assertThatThrownBy(() -> Flow.builder().stallCheckInterval(Duration.ofNanos(999_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.000999S");
    }

    @Test
    void oneMillisecondAndOneDay_areAccepted() {
        Flow.Builder builder = Flow.builder();
        assertThat(builder.stallCheckInterval(Duration.ofMillis(1))).isSameAs(builder);
        assertThat(builder.stallCheckInterval(Duration.ofDays(1))).isSameAs(builder);
    }

    @Test
    void aDayAndANanosecond_isRefusedNamingTheValue() {
        assertThatThrownBy(() -> Flow.builder().stallCheckInterval(Duration.ofDays(1).plusNanos(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT24H0.000000001S");
    }
}
