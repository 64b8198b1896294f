package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/** {@link TimerSource#nextAligned}: the first {@code k * period + offset} strictly after an instant. */
class TimerSourceAlignmentTest {
    static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void nextBoundary_isStrictlyAfter() {
        assertThat(TimerSource.nextAligned(Instant.parse("2026-01-05T10:00:30Z"), MINUTE, Duration.ZERO))
                .isEqualTo(Instant.parse("2026-01-05T10:01:00Z"));
        assertThat(TimerSource.nextAligned(Instant.parse("2026-01-05T10:01:00Z"), MINUTE, Duration.ZERO))
                .isEqualTo(Instant.parse("2026-01-05T10:02:00Z"));
        assertThat(TimerSource.nextAligned(Instant.parse("2026-01-05T10:00:59.999999999Z"), MINUTE, Duration.ZERO))
                .isEqualTo(Instant.parse("2026-01-05T10:01:00Z"));
    }

    @Test
    void offset_shiftsTheBoundaries_andAnOffsetOfAPeriodOrMoreWrapsAround() {
        Instant after = Instant.parse("2026-01-05T10:00:30Z");
        assertThat(TimerSource.nextAligned(after, MINUTE, Duration.ofSeconds(45)))
                .isEqualTo(Instant.parse("2026-01-05T10:00:45Z"));
        assertThat(TimerSource.nextAligned(after, MINUTE, Duration.ofSeconds(15)))
                .isEqualTo(Instant.parse("2026-01-05T10:01:15Z"));
        assertThat(TimerSource.nextAligned(after, MINUTE, Duration.ofSeconds(105)))
                .isEqualTo(Instant.parse("2026-01-05T10:00:45Z"));
        assertThat(TimerSource.nextAligned(after, MINUTE, Duration.ofSeconds(-15)))
                .isEqualTo(Instant.parse("2026-01-05T10:00:45Z"));
    }

    @Test
    void beforeTheEpoch_roundsTowardsTheFuture() {
        assertThat(TimerSource.nextAligned(Instant.parse("1969-12-31T23:59:30Z"), MINUTE, Duration.ZERO))
                .isEqualTo(Instant.EPOCH);
        assertThat(TimerSource.nextAligned(Instant.parse("1969-12-31T23:59:59.5Z"), Duration.ofMillis(300),
                Duration.ZERO)).isEqualTo(Instant.parse("1969-12-31T23:59:59.7Z"));
    }

    @Test
    void pastTheYear2262_andNanosecondPeriods_areExact() {
        assertThat(TimerSource.nextAligned(Instant.parse("2300-06-01T00:00:00.000000001Z"), Duration.ofHours(1),
                Duration.ZERO)).isEqualTo(Instant.parse("2300-06-01T01:00:00Z"));
        assertThat(TimerSource.nextAligned(Instant.parse("2026-01-05T10:00:00.000000007Z"), Duration.ofNanos(3),
                Duration.ZERO)).isEqualTo(Instant.parse("2026-01-05T10:00:00.000000009Z"));
    }

    @Test
    void aBoundaryBeyondInstantMax_isInstantMax() {
        Instant now = Instant.parse("2026-01-05T10:00:30Z");
        assertThat(TimerSource.nextAligned(now, ChronoUnit.FOREVER.getDuration(), Duration.ZERO))
                .isEqualTo(Instant.MAX);
        assertThat(TimerSource.nextAligned(Instant.MAX.minusSeconds(1), MINUTE, Duration.ZERO))
                .isEqualTo(Instant.MAX);
    }
}
