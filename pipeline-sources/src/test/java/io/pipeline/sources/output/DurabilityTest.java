package io.pipeline.sources.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurabilityTest {
    @Test
    void batched_badValues_areRefusedNamingThem() {
        assertThatThrownBy(() -> Durability.batched(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxRows < 1: 0");
        assertThatThrownBy(() -> Durability.batched(10, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Durability.batched(10, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> Durability.batched(10, Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> Durability.batched(10, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> OutputOptions.defaults().withDurability(null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> OutputOptions.defaults().withScheduler(null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void batched_extremesWithinBounds_areAccepted() {
        assertThat(Durability.batched(Integer.MAX_VALUE, Duration.ofDays(1)).maxDelay()).isEqualTo(Duration.ofDays(1));
        assertThat(Durability.batched(1, Duration.ofNanos(1)).maxRows()).isEqualTo(1);
    }

    @Test
    void values_areEqualByPolicy_andReadable() {
        assertThat(Durability.batched(5, Duration.ofSeconds(1))).isEqualTo(Durability.batched(5, Duration.ofSeconds(1)))
                .hasSameHashCodeAs(Durability.batched(5, Duration.ofSeconds(1)))
                .isNotEqualTo(Durability.batched(6, Duration.ofSeconds(1)))
                .hasToString("Durability.batched(5, PT1S)");
        assertThat(Durability.everyRow()).isNotEqualTo(Durability.groupCommit()).hasToString("Durability.everyRow()");
        assertThat(Durability.everyRow().maxRows()).isEqualTo(1);
        assertThat(OutputOptions.defaults().withDurability(Durability.everyRow()).durability())
                .isEqualTo(Durability.everyRow());
    }
}
