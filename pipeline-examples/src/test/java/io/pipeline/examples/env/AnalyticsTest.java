package io.pipeline.examples.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.operators.OperatorOptions;
import io.pipeline.operators.Operators;
import io.pipeline.testing.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The analytics chain of one location, on a {@link SyncDispatcher} in virtual time. */
class AnalyticsTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final String MANAGER = "env-berlin";

    private final SyncDispatcher handler = new SyncDispatcher();
    private final VirtualTime time = VirtualTime.startingAt(T0);
    private final OperatorOptions options = OperatorOptions.defaults().withClock(time).withScheduler(time);
    private final List<Stats> stats = new ArrayList<>();
    private final List<Anomaly> anomalies = new ArrayList<>();
    private final List<Alert> alerts = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final List<Operators> built = new ArrayList<>();

    @AfterEach
    void closeHandler() {
        built.forEach(Operators::close);
        handler.close();
        assertThat(errors).isEmpty();
    }

    private final Analytics.Sink sink = new Analytics.Sink() {
        @Override
        public void stats(Stats s) {
            stats.add(s);
        }

        @Override
        public void anomaly(Anomaly a) {
            anomalies.add(a);
        }

        @Override
        public void alert(Alert a) {
            alerts.add(a);
        }
    };

    private static Analytics.Settings settings(int window, double zLimit, int minCount) {
        return new Analytics.Settings(window, zLimit, minCount, Threshold.DEFAULTS, Duration.ofMinutes(10));
    }

    /** The chain a manager named {@value #MANAGER} builds; readings go in through the returned replay. */
    private Analytics.Replay analytics(Analytics.Settings settings) {
        Operators ops = Operators.in(handler, local -> MANAGER + "." + local, options);
        built.add(ops);
        ops.onErrors(errors::add);
        Analytics.Replay in = new Analytics.Replay(MANAGER + ".in", handler);
        Analytics.build(ops, settings, sink, ops.from(in, Analytics.Replay.READING));
        return in;
    }

    private Analytics.Replay analytics(int window, double zLimit, int minCount) {
        return analytics(settings(window, zLimit, minCount));
    }

    private static Reading reading(int minute, String sensor, double value) {
        return new Reading(T0.plus(Duration.ofMinutes(minute)), "Berlin", sensor, value, "u");
    }

    @Test
    void stats_areTheRollingMeanStdAndTrendOfTheWindow_thisReadingIncluded() {
        Analytics.Replay analytics = analytics(3, 4, 2);
        analytics.send(reading(0, "pm10", 1));
        analytics.send(reading(1, "pm10", 2));
        analytics.send(reading(2, "pm10", 3));
        analytics.send(reading(3, "pm10", 10)); // the window is now 2, 3, 10

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
        Analytics.Replay analytics = analytics(10, 3, 4);
        double[] calm = {10, 11, 10, 11};
        for (int i = 0; i < calm.length; i++) {
            analytics.send(reading(i, "pm10", calm[i]));
        }
        analytics.send(reading(4, "pm10", 11.5)); // z = (11.5 - 10.5) / 0.577 = 1.7
        analytics.send(reading(5, "pm10", 20));

        assertThat(anomalies).hasSize(1);
        Anomaly anomaly = anomalies.get(0);
        assertThat(anomaly.time()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
        double mean = (10 + 11 + 10 + 11 + 11.5) / 5;
        assertThat(anomaly.mean()).isCloseTo(mean, within(1e-9));
        assertThat(anomaly.z()).isCloseTo((20 - mean) / anomaly.std(), within(1e-9)).isGreaterThan(3);
    }

    @Test
    void anomaly_notLookedForBeforeMinCountReadings() {
        Analytics.Replay analytics = analytics(10, 2, 5);
        analytics.send(reading(0, "pm10", 10));
        analytics.send(reading(1, "pm10", 10.1));
        analytics.send(reading(2, "pm10", 50));
        assertThat(anomalies).isEmpty();
    }

    @Test
    void threshold_raisesAboveTheLimit_andClearsOnlyBelowTheClearLevel_withoutFlapping() {
        Analytics.Replay analytics = analytics(30, 100, 2);
        double[] pm25 = {10, 16, 14, 15.5, 13, 12.5, 11.9, 15.1, 14.9};
        for (int i = 0; i < pm25.length; i++) {
            analytics.send(reading(i, "pm2_5", pm25[i]));
        }
        assertThat(alerts).extracting(a -> a.state() + " " + a.value() + " " + a.limit()).containsExactly(
                "RAISED 16.0 15.0", "CLEARED 11.9 12.0", "RAISED 15.1 15.0");
        assertThat(alerts.get(0).message()).isEqualTo("Berlin pm2_5 16.0 u above 15.0 u");
        assertThat(alerts.get(1).message()).isEqualTo("Berlin pm2_5 11.9 u back below 12.0 u");
        assertThat(alerts).allSatisfy(a -> assertThat(a.kind()).isEqualTo(Alert.Kind.THRESHOLD));
    }

    @Test
    void staleness_raisedOnceWhenAFeedGoesQuiet_andClearedByTheNextReading() {
        Analytics.Replay analytics = analytics(30, 100, 2);
        analytics.send(reading(0, "pm2_5", 5));
        analytics.send(reading(0, "temperature_2m", 5));

        time.advance(Duration.ofMinutes(10).minusMillis(1));
        assertThat(alerts).as("just before the limit is not yet stale").isEmpty();

        analytics.send(reading(1, "temperature_2m", 5)); // the weather feed is alive
        time.advance(Duration.ofMinutes(1));
        assertThat(alerts).extracting(a -> a.kind() + " " + a.state() + " " + a.subject() + " " + a.time())
                .containsExactly("STALE RAISED air_quality " + T0.plus(Duration.ofMinutes(10)));
        assertThat(alerts.get(0).message()).isEqualTo("Berlin air_quality: no reading for 600 s");
        assertThat(alerts.get(0).limit()).isEqualTo(600);

        analytics.send(reading(2, "pm10", 5));
        assertThat(alerts).extracting(a -> a.kind() + " " + a.state() + " " + a.subject())
                .containsExactly("STALE RAISED air_quality", "STALE CLEARED air_quality");
        assertThat(alerts.get(1).message()).isEqualTo("Berlin air_quality: readings again");
        assertThat(stats).as("the clearing reading is also a reading").hasSize(4);
    }

    @Test
    void warm_computesTheHistoryOnItsOwnHandler_andTheLiveChainContinuesItsState() {
        List<Stats> warmStats = new ArrayList<>();
        List<Alert> warmAlerts = new ArrayList<>();
        Analytics.warm(List.of(reading(0, "pm2_5", 20)), MANAGER, settings(30, 100, 2), options, handler,
                new Analytics.Sink() {
                    @Override
                    public void stats(Stats s) {
                        warmStats.add(s);
                    }

                    @Override
                    public void anomaly(Anomaly a) {
                    }

                    @Override
                    public void alert(Alert a) {
                        warmAlerts.add(a);
                    }
                }, errors::add);
        assertThat(warmAlerts).extracting(Alert::state).containsExactly(Alert.State.RAISED);
        assertThat(warmStats).singleElement().extracting(Stats::count).isEqualTo(1);
        assertThat(stats).isEmpty();
        assertThat(alerts).isEmpty();

        Analytics.Replay analytics = analytics(30, 100, 2);
        analytics.send(reading(0, "pm2_5", 20)); // read back: a repeat, dropped
        analytics.send(reading(1, "pm2_5", 21)); // still raised: no second alert
        assertThat(alerts).isEmpty();
        assertThat(stats).singleElement().extracting(Stats::count).isEqualTo(2);
    }

    @Test
    void sameCurrentTimeTwice_isAnalysedOnce_evenAcrossARestartOfTheManager() {
        Analytics.Replay first = analytics(30, 100, 2);
        first.send(reading(15, "pm2_5", 8));
        first.send(reading(15, "pm10", 12));
        Operators stopped = built.remove(0); // what a manager's stop does: close the steps, drop their listeners
        stopped.close();
        stopped.processors().forEach(Processor::removeAllListeners);

        Analytics.Replay restarted = analytics(30, 100, 2); // the same names: the state is found again
        restarted.send(reading(15, "pm2_5", 8));
        restarted.send(reading(15, "pm10", 12));
        restarted.send(reading(30, "pm2_5", 9));
        restarted.send(reading(15, "pm2_5", 8)); // seen before: dropped too

        assertThat(stats).extracting(s -> s.time().toString() + " " + s.sensor() + " " + s.count()).containsExactly(
                "2026-12-01T10:15:00Z pm2_5 1", "2026-12-01T10:15:00Z pm10 1", "2026-12-01T10:30:00Z pm2_5 2");
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
}
