package io.pipeline.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.operators.Readings.Pusher;
import io.pipeline.operators.Readings.Reading;
import io.pipeline.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** EWMA, trend and anomaly detection. */
class AnalyticsTest {
    final SyncDispatcher handler = new SyncDispatcher();
    final VirtualTime time = VirtualTime.startingAt(Readings.T0);
    final Pusher in = new Pusher("in", handler);
    final List<Throwable> errors = new ArrayList<>();
    final OperatorOptions options = OperatorOptions.defaults().withClock(time).withFreshState();

    <P extends Processor> P wire(P operator, io.pipeline.core.Listener<Reading> accept) {
        in.on(Readings.READING, accept);
        operator.on(Processor.ERROR, errors::add);
        return operator;
    }

    // ---- EWMA ---------------------------------------------------------------------------------------------

    @Test
    void ewma_firstValueIsTheAverage_oneHalfLifeLaterCountsHalf() {
        List<Smoothed> out = new ArrayList<>();
        Ewma<Reading> ewma = new Ewma<>("ewma", handler, Readings.SERIES, Duration.ofMinutes(10), options);
        wire(ewma, ewma::accept).on(Ewma.AVERAGE, out::add);
        in.push("k", 0, 10);
        in.push("k", 600, 20);       // one half-life: halfway
        in.push("k", 600 + 1200, 0); // two half-lives: 3/4 of the way to 0
        assertThat(out).extracting(Smoothed::average).containsExactly(10.0, 15.0, 3.75);
    }

    @Test
    void ewma_irregularIntervals_twoStepsEqualOneOfTheirSum() {
        List<Smoothed> out = new ArrayList<>();
        Ewma<Reading> ewma = new Ewma<>("ewma", handler, Readings.SERIES, Duration.ofSeconds(30), options);
        wire(ewma, ewma::accept).on(Ewma.AVERAGE, out::add);
        in.push("a", 0, 0);
        in.push("a", 7, 100);
        in.push("a", 20, 100);
        in.push("b", 0, 0);
        in.push("b", 20, 100);
        double a = out.get(2).average();
        double b = out.get(4).average();
        assertThat(a).isCloseTo(b, within(1e-9));
        assertThat(b).isCloseTo(100 * (1 - Math.pow(2, -20.0 / 30)), within(1e-9));
    }

    @Test
    void ewma_olderOrSameTime_leavesTheAverage() {
        List<Smoothed> out = new ArrayList<>();
        Ewma<Reading> ewma = new Ewma<>("ewma", handler, Readings.SERIES, Duration.ofSeconds(30), options);
        wire(ewma, ewma::accept).on(Ewma.AVERAGE, out::add);
        in.push("k", 10, 1);
        in.push("k", 10, 100);
        in.push("k", 5, 100);
        assertThat(out).extracting(Smoothed::average).containsExactly(1.0, 1.0, 1.0);
        assertThatThrownBy(() -> new Ewma<>("e2", handler, Readings.SERIES, Duration.ZERO, options))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
    }

    // ---- trend --------------------------------------------------------------------------------------------

    @Test
    void trend_linearRise_slopePerHour_rising() {
        List<TrendPoint> out = new ArrayList<>();
        Trend<Reading> trend = new Trend<>("trend", handler, Readings.SERIES, Rolling.count(10), Duration.ofHours(1), 0.1,
                options);
        wire(trend, trend::accept).on(Trend.TREND, out::add);
        for (int i = 0; i < 20; i++) {
            in.push("k", i * 600L, 15 + 0.5 * i); // +0.5 every 10 minutes: 3 per hour
        }
        assertThat(out).hasSize(19);
        assertThat(out.get(18).slope()).isCloseTo(3.0, within(1e-9));
        assertThat(out.get(18).direction()).isEqualTo(Direction.RISING);
        assertThat(out.get(18).count()).isEqualTo(10);
    }

    @Test
    void trend_directionAgainstTheFlatThreshold() {
        List<TrendPoint> out = new ArrayList<>();
        Trend<Reading> trend = new Trend<>("trend", handler, Readings.SERIES, Rolling.time(Duration.ofHours(2)),
                Duration.ofHours(1), 1.0, options);
        wire(trend, trend::accept).on(Trend.TREND, out::add);
        in.push("flat", 0, 10);
        in.push("flat", 3600, 11);    // exactly 1 per hour: FLAT (<= threshold)
        in.push("down", 0, 10);
        in.push("down", 3600, 8.9);   // -1.1 per hour: FALLING
        assertThat(out).extracting(TrendPoint::key, TrendPoint::direction)
                .containsExactly(tuple("flat", Direction.FLAT), tuple("down", Direction.FALLING));
        assertThat(out.get(1).slope()).isCloseTo(-1.1, within(1e-9));
    }

    @Test
    void trend_sameTimeTwice_noSlopeYet_badThreshold_throws() {
        List<TrendPoint> out = new ArrayList<>();
        Trend<Reading> trend = new Trend<>("trend", handler, Readings.SERIES, Rolling.count(5), Duration.ofHours(1), 0,
                options);
        wire(trend, trend::accept).on(Trend.TREND, out::add);
        in.push("k", 0, 1);
        in.push("k", 0, 2);
        assertThat(out).isEmpty();
        assertThatThrownBy(() -> new Trend<>("t2", handler, Readings.SERIES, Rolling.count(5), Duration.ofHours(1), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    // ---- anomalies ----------------------------------------------------------------------------------------

    @Test
    void zScore_valueExcludedFromItsOwnWindow_warmUp_k3() {
        List<Anomaly> out = new ArrayList<>();
        AnomalyDetector<Reading> detector = new AnomalyDetector<>("z", handler, Readings.SERIES, 4,
                AnomalyDetector.Method.Z_SCORE, 4, 3, options);
        wire(detector, detector::accept).on(AnomalyDetector.ANOMALY, out::add);
        in.push("k", 1, 100);   // no verdict during warm-up, however odd
        in.push("k", 2, 10);
        in.push("k", 3, 11);
        in.push("k", 4, 9);
        // window {100, 10, 11, 9}: mean 32.5, sd 45.0; 200 scores 3.72
        in.push("k", 5, 200);
        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.key()).isEqualTo("k");
            assertThat(a.value()).isEqualTo(200);
            assertThat(a.expected()).isCloseTo(32.5, within(1e-12));
            assertThat(a.spread()).isCloseTo(Math.sqrt((67.5 * 67.5 + 22.5 * 22.5 + 21.5 * 21.5 + 23.5 * 23.5) / 3),
                    within(1e-9));
            assertThat(a.score()).isCloseTo((200 - 32.5) / a.spread(), within(1e-12));
            assertThat(a.time()).isEqualTo(Readings.T0.plusSeconds(5));
        });
    }

    @Test
    void zScore_exactlyK_isNotAnomalous() {
        List<Anomaly> out = new ArrayList<>();
        AnomalyDetector<Reading> detector = new AnomalyDetector<>("z", handler, Readings.SERIES, 2,
                AnomalyDetector.Method.Z_SCORE, 2, 1, options);
        wire(detector, detector::accept).on(AnomalyDetector.ANOMALY, out::add);
        in.push("k", 1, 0);
        in.push("k", 2, 2);        // window {0, 2}: mean 1, sd sqrt(2)
        in.push("k", 3, 1 + Math.sqrt(2)); // window {0, 2} still for this value: score exactly 1
        assertThat(out).isEmpty();
    }

    @Test
    void zScore_constantWindow_anyOtherValueIsAnomalous() {
        List<Anomaly> out = new ArrayList<>();
        AnomalyDetector<Reading> detector = new AnomalyDetector<>("z", handler, Readings.SERIES, 3);
        wire(detector, detector::accept).on(AnomalyDetector.ANOMALY, out::add);
        for (int i = 0; i < 4; i++) {
            in.push("k", i, 5);
        }
        in.push("k", 9, 5.5);
        assertThat(out).singleElement().satisfies(a -> assertThat(a.score()).isInfinite().isPositive());
    }

    @Test
    void robust_oneEarlierSpikeDoesNotBlindIt() {
        List<Anomaly> robust = new ArrayList<>();
        List<Anomaly> plain = new ArrayList<>();
        AnomalyDetector<Reading> r = new AnomalyDetector<>("robust", handler, Readings.SERIES, 9,
                AnomalyDetector.Method.ROBUST, 9, 3, options);
        AnomalyDetector<Reading> z = new AnomalyDetector<>("plain", handler, Readings.SERIES, 9,
                AnomalyDetector.Method.Z_SCORE, 9, 3, options);
        wire(r, r::accept).on(AnomalyDetector.ANOMALY, robust::add);
        wire(z, z::accept).on(AnomalyDetector.ANOMALY, plain::add);
        double[] calm = {10, 11, 9, 10, 12, 10, 1000, 11, 9}; // one spike among calm values
        for (int i = 0; i < calm.length; i++) {
            in.push("k", i, calm[i]);
        }
        in.push("k", 20, 30);
        assertThat(plain).isEmpty(); // the spike inflated the standard deviation
        assertThat(robust).singleElement().satisfies(a -> {
            assertThat(a.expected()).isEqualTo(10); // median
            assertThat(a.spread()).isCloseTo(1.4826 * 1, within(1e-12)); // MAD = 1
            assertThat(a.score()).isCloseTo(20 / 1.4826, within(1e-9));
        });
    }

    @Test
    void anomaly_badInputAndBadConstruction() {
        AnomalyDetector<Reading> z = new AnomalyDetector<>("z", handler, Readings.SERIES, 3);
        wire(z, z::accept);
        in.push("k", 1, Double.NEGATIVE_INFINITY);
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).isInstanceOf(BadInputException.class)
                .hasMessageContaining("'z'").hasMessageContaining("-Infinity"));
        assertThatThrownBy(() -> new AnomalyDetector<>("a", handler, Readings.SERIES, 0)).hasMessageContaining(": 0");
        assertThatThrownBy(() -> new AnomalyDetector<>("a", handler, Readings.SERIES, 5, AnomalyDetector.Method.Z_SCORE,
                6, 3, options)).hasMessageContaining("6");
        assertThatThrownBy(() -> new AnomalyDetector<>("a", handler, Readings.SERIES, 5, AnomalyDetector.Method.Z_SCORE,
                5, Double.NaN, options)).hasMessageContaining("NaN");
    }
}
