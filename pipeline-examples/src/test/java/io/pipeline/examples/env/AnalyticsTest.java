package io.pipeline.examples.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.pipeline.core.SyncDispatcher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnalyticsTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final SyncDispatcher handler = new SyncDispatcher();
    private final MutableClock clock = new MutableClock(T0);
    private final List<Stats> stats = new ArrayList<>();
    private final List<Anomaly> anomalies = new ArrayList<>();
    private final List<Alert> alerts = new ArrayList<>();

    @AfterEach
    void closeHandler() {
        handler.close();
    }

    private Analytics analytics(int window, double zLimit, int minCount) {
        Analytics analytics = new Analytics("analytics", handler, new Analytics.Settings(window, zLimit, minCount,
                Threshold.DEFAULTS, Duration.ofMinutes(10)), clock);
        analytics.on(Analytics.STATS, stats::add);
        analytics.on(Analytics.ANOMALY, anomalies::add);
        analytics.on(Analytics.ALERT, alerts::add);
        return analytics;
    }

    private static Reading reading(int minute, String sensor, double value) {
        return new Reading(T0.plus(Duration.ofMinutes(minute)), "Berlin", sensor, value, "u");
    }

    @Test
    void stats_areTheRollingMeanStdAndTrendOfTheWindow_thisReadingIncluded() {
        Analytics analytics = analytics(3, 4, 2);
        analytics.accept(reading(0, "pm10", 1));
        analytics.accept(reading(1, "pm10", 2));
        analytics.accept(reading(2, "pm10", 3));
        analytics.accept(reading(3, "pm10", 10)); // the window is now 2, 3, 10

        assertThat(stats).extracting(Stats::count).containsExactly(1, 2, 3, 3);
        Stats last = stats.get(3);
        assertThat(last.mean()).isCloseTo(5, within(1e-9));
        assertThat(last.std()).isCloseTo(Math.sqrt(((2 - 5) * (2 - 5) + (3 - 5) * (3 - 5) + 25) / 2.0), within(1e-9));
        assertThat(stats.get(2).trendPerHour()).as("1 per minute").isCloseTo(60, within(1e-9));
        assertThat(last.trendPerHour()).as("least squares over 2, 3, 10").isCloseTo(4 * 60, within(1e-9));
        assertThat(stats.get(0).std()).isZero();
        assertThat(stats.get(0).trendPerHour()).isZero();
    }

    @Test
    void anomaly_isMeasuredAgainstTheWindowBeforeTheReading() {
        Analytics analytics = analytics(10, 3, 4);
        double[] calm = {10, 11, 10, 11};
        for (int i = 0; i < calm.length; i++) {
            analytics.accept(reading(i, "pm10", calm[i]));
        }
        analytics.accept(reading(4, "pm10", 11.5)); // z = (11.5 - 10.5) / 0.577 = 1.7
        analytics.accept(reading(5, "pm10", 20));

        assertThat(anomalies).hasSize(1);
        Anomaly anomaly = anomalies.get(0);
        assertThat(anomaly.time()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
        double mean = (10 + 11 + 10 + 11 + 11.5) / 5;
        assertThat(anomaly.mean()).isCloseTo(mean, within(1e-9));
        assertThat(anomaly.z()).isCloseTo((20 - mean) / anomaly.std(), within(1e-9)).isGreaterThan(3);
    }

    @Test
    void anomaly_notLookedForBeforeMinCountReadings() {
        Analytics analytics = analytics(10, 2, 5);
        analytics.accept(reading(0, "pm10", 10));
        analytics.accept(reading(1, "pm10", 10.1));
        analytics.accept(reading(2, "pm10", 50));
        assertThat(anomalies).isEmpty();
    }

    @Test
    void threshold_raisesAboveTheLimit_andClearsOnlyBelowTheClearLevel_withoutFlapping() {
        Analytics analytics = analytics(30, 100, 2);
        double[] pm25 = {10, 16, 14, 15.5, 13, 12.5, 11.9, 15.1, 14.9};
        for (int i = 0; i < pm25.length; i++) {
            analytics.accept(reading(i, "pm2_5", pm25[i]));
        }
        assertThat(alerts).extracting(a -> a.state() + " " + a.value() + " " + a.limit()).containsExactly(
                "RAISED 16.0 15.0", "CLEARED 11.9 12.0", "RAISED 15.1 15.0");
        assertThat(alerts.get(0).message()).isEqualTo("Berlin pm2_5 16.0 u above 15.0 u");
        assertThat(alerts.get(1).message()).isEqualTo("Berlin pm2_5 11.9 u back below 12.0 u");
        assertThat(alerts).allSatisfy(a -> assertThat(a.kind()).isEqualTo(Alert.Kind.THRESHOLD));
    }

    @Test
    void staleness_raisedOnceWhenAFeedGoesQuiet_andClearedByTheNextReading() {
        Analytics analytics = analytics(30, 100, 2);
        analytics.accept(reading(0, "pm2_5", 5));
        analytics.accept(reading(0, "temperature_2m", 5));

        clock.advance(Duration.ofMinutes(10));
        analytics.checkStale();
        assertThat(alerts).as("exactly the limit is not yet stale").isEmpty();

        clock.advance(Duration.ofSeconds(1));
        analytics.accept(reading(1, "temperature_2m", 5)); // the weather feed is alive
        analytics.checkStale();
        analytics.checkStale();
        assertThat(alerts).extracting(a -> a.kind() + " " + a.state() + " " + a.subject() + " " + a.time())
                .containsExactly("STALE RAISED air_quality " + clock.instant());
        assertThat(alerts.get(0).message()).isEqualTo("Berlin air_quality: no reading for 601 s");

        analytics.accept(reading(2, "pm10", 5));
        assertThat(alerts).extracting(a -> a.kind() + " " + a.state() + " " + a.subject())
                .containsExactly("STALE RAISED air_quality", "STALE CLEARED air_quality");
    }

    @Test
    void warm_updatesTheStateWithoutEmitting() {
        Analytics analytics = analytics(30, 100, 2);
        Analytics.Result result = analytics.warm(reading(0, "pm2_5", 20));
        assertThat(result.alerts()).extracting(Alert::state).containsExactly(Alert.State.RAISED);
        assertThat(stats).isEmpty();
        assertThat(alerts).isEmpty();

        analytics.accept(reading(1, "pm2_5", 21)); // still raised: no second alert
        assertThat(alerts).isEmpty();
        assertThat(stats).singleElement().extracting(Stats::count).isEqualTo(2);
    }

    @Test
    void settings_rejectBadValues() {
        assertThatThrownBy(() -> new Analytics.Settings(1, 4, 2, List.of(), Duration.ofMinutes(1)))
                .hasMessage("window < 2: 1");
        assertThatThrownBy(() -> new Analytics.Settings(10, 4, 11, List.of(), Duration.ofMinutes(1)))
                .hasMessage("minCount not within 2..window: 11");
        assertThatThrownBy(() -> Threshold.parse("pm2_5=10:12"))
                .hasMessageContaining("must clear at or below where it is raised");
        assertThatThrownBy(() -> Threshold.parse("ozone=10")).hasMessageStartingWith("unknown sensor 'ozone'");
        assertThat(Threshold.parse("pm10=50")).isEqualTo(new Threshold("pm10", 50, 45));
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
