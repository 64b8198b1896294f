package io.pipeline.examples.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationsTest {
    @Test
    void parse_shortForms_readTheirUnit() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.parse("2H")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void parse_iso8601_inAnyCase() {
        assertThat(Durations.parse("PT5S")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse("pt1m30s")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void parse_garbage_namesTheValueAndTheFormats() {
        assertThatThrownBy(() -> Durations.parse("soon"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("'soon' is not a duration")
                .hasMessageContaining("PT5S");
    }

    @Test
    void parse_zeroOrNegative_isRejected() {
        assertThatThrownBy(() -> Durations.parse("0s")).hasMessage("'0s' is not a positive duration");
        assertThatThrownBy(() -> Durations.parse("PT-1S")).hasMessage("'PT-1S' is not a positive duration");
    }

    @Test
    void format_usesTheShortestReadableForm() {
        assertThat(Durations.format(Duration.ofSeconds(2))).isEqualTo("2s");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(1))).isEqualTo("1m");
        assertThat(Durations.format(Duration.ofHours(3))).isEqualTo("3h");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }
}
