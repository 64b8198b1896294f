package io.pipeline.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.operators.Readings.Pusher;
import io.pipeline.operators.Readings.Reading;
import io.pipeline.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Threshold and staleness alerts. */
class AlertsTest {
    final SyncDispatcher handler = new SyncDispatcher();
    final VirtualTime time = VirtualTime.startingAt(Readings.T0);
    final Pusher in = new Pusher("in", handler);
    final List<Alert> alerts = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();
    final OperatorOptions options = OperatorOptions.defaults().withClock(time).withFreshState();

    ThresholdAlert<Reading> alert(AlertRule rule) {
        ThresholdAlert<Reading> alert = new ThresholdAlert<>("alert", handler, Readings.SERIES, rule, options);
        in.on(Readings.READING, alert::accept);
        alert.on(ThresholdAlert.ALERT, alerts::add);
        alert.on(Processor.ERROR, errors::add);
        return alert;
    }

    void push(String key, double... values) {
        for (int i = 0; i < values.length; i++) {
            in.push(key, i * 10L, values[i]);
        }
    }

    @Test
    void hysteresis_hoveringAroundTheThreshold_oneRaisedOneCleared() {
        alert(AlertRule.above("hot", 30).withHysteresis(2));
        push("k", 29, 31, 29.5, 30.5, 28.5, 31, 29, 27.9, 30, 27);
        assertThat(alerts).extracting(Alert::state, Alert::value)
                .containsExactly(tuple(AlertState.RAISED, 31.0), tuple(AlertState.CLEARED, 27.9));
        assertThat(alerts.get(1).since()).isEqualTo(Readings.T0.plusSeconds(10));
        assertThat(alerts.get(0).rule()).isEqualTo("hot");
    }

    @Test
    void noHysteresis_atTheThreshold_neitherRaisesNorClears() {
        alert(AlertRule.above("hot", 30));
        push("k", 30, 31, 30, 29.99);
        assertThat(alerts).extracting(Alert::state, Alert::value)
                .containsExactly(tuple(AlertState.RAISED, 31.0), tuple(AlertState.CLEARED, 29.99));
    }

    @Test
    void below_mirrorsAbove() {
        alert(AlertRule.below("cold", 0).withHysteresis(1));
        push("k", 1, -1, 0.5, 1.5);
        assertThat(alerts).extracting(Alert::state, Alert::value)
                .containsExactly(tuple(AlertState.RAISED, -1.0), tuple(AlertState.CLEARED, 1.5));
    }

    @Test
    void forDuration_raisesOnlyAfterBreachingThatLong_interruptionResetsTheWait() {
        alert(AlertRule.above("hot", 30).withFor(Duration.ofSeconds(30)));
        // t=0,10,20: breach; t=30: not; t=40..70: breach for 30 s -> raised at 70
        push("k", 31, 31, 31, 29, 31, 31, 31, 31);
        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo(AlertState.RAISED);
            assertThat(a.time()).isEqualTo(Readings.T0.plusSeconds(70));
            assertThat(a.since()).isEqualTo(Readings.T0.plusSeconds(40));
        });
    }

    @Test
    void cooldown_noNewRaiseTooSoonAfterAClear() {
        alert(AlertRule.above("hot", 30).withCooldown(Duration.ofSeconds(25)));
        // raised 0, cleared 10, breach at 20 and 30 (cooling until 35), raised at 40
        push("k", 31, 20, 31, 31, 31);
        assertThat(alerts).extracting(Alert::state, a -> a.time().getEpochSecond() - Readings.T0.getEpochSecond())
                .containsExactly(tuple(AlertState.RAISED, 0L), tuple(AlertState.CLEARED, 10L),
                        tuple(AlertState.RAISED, 40L));
    }

    @Test
    void episodes_arePerKey() {
        alert(AlertRule.above("hot", 30));
        in.push("a", 0, 31);
        in.push("b", 0, 31);
        in.push("a", 1, 31);
        in.push("b", 1, 10);
        assertThat(alerts).extracting(Alert::key, Alert::state).containsExactly(
                tuple("a", AlertState.RAISED), tuple("b", AlertState.RAISED), tuple("b", AlertState.CLEARED));
    }

    @Test
    void badInput_error_episodeUntouched() {
        alert(AlertRule.above("hot", 30));
        in.push("k", 0, 31);
        in.push("k", 1, Double.NaN);
        in.push("k", 2, 32);
        assertThat(alerts).hasSize(1);
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("'alert'")
                .hasMessageContaining("key k"));
    }

    @Test
    void rules_badArguments_throwNamingTheValue() {
        assertThatThrownBy(() -> AlertRule.above("x", Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> AlertRule.above("x", 1).withHysteresis(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> AlertRule.above("x", 1).withFor(Duration.ofSeconds(-2))).hasMessageContaining("PT-2S");
        assertThatThrownBy(() -> AlertRule.above(" ", 1)).hasMessageContaining("blank");
    }

    // ---- staleness ----------------------------------------------------------------------------------------

    StalenessAlert<Reading> stale(Duration timeout) {
        StalenessAlert<Reading> stale = new StalenessAlert<>("stale", handler, Reading::sensor, timeout,
                options.withScheduler(time));
        in.on(Readings.READING, stale::accept);
        stale.on(StalenessAlert.ALERT, alerts::add);
        return stale;
    }

    @Test
    void staleness_noValueWithinTimeout_staleOnce_clearedByTheNextValue() {
        StalenessAlert<Reading> stale = stale(Duration.ofMinutes(5));
        in.push("a", 0, 1);
        time.advance(Duration.ofMinutes(2));
        in.push("b", 0, 1);
        time.advance(Duration.ofMinutes(3)); // a: 5 min without a value
        assertThat(alerts).extracting(Alert::key, Alert::state).containsExactly(tuple("a", AlertState.STALE));
        assertThat(alerts.get(0).time()).isEqualTo(Readings.T0.plus(Duration.ofMinutes(5)));
        time.advance(Duration.ofMinutes(10)); // b goes stale at 7 min; a is not repeated
        assertThat(alerts).extracting(Alert::key, Alert::state)
                .containsExactly(tuple("a", AlertState.STALE), tuple("b", AlertState.STALE));
        assertThat(stale.staleKeys()).isEqualTo(2);
        in.push("a", 900, 1);
        assertThat(alerts.get(2)).satisfies(a -> {
            assertThat(a.key()).isEqualTo("a");
            assertThat(a.state()).isEqualTo(AlertState.CLEARED);
            assertThat(a.rule()).isEqualTo("stale");
        });
        time.advance(Duration.ofMinutes(4));
        assertThat(alerts).hasSize(3);
        time.advance(Duration.ofMinutes(1));
        assertThat(alerts).hasSize(4);
    }

    @Test
    void staleness_valuesKeepItFresh() {
        stale(Duration.ofMinutes(5));
        for (int i = 0; i < 10; i++) {
            in.push("a", i, 1);
            time.advance(Duration.ofMinutes(4));
        }
        assertThat(alerts).isEmpty();
    }

    @Test
    void staleness_closed_noMoreTimers_andNeedsAScheduler() {
        StalenessAlert<Reading> stale = stale(Duration.ofMinutes(5));
        in.push("a", 0, 1);
        stale.close();
        time.advance(Duration.ofHours(1));
        assertThat(alerts).isEmpty();
        assertThatThrownBy(() -> new StalenessAlert<Reading>("s2", handler, Reading::sensor, Duration.ofMinutes(1), options))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheduler");
        assertThatThrownBy(() -> new StalenessAlert<Reading>("s3", handler, Reading::sensor, Duration.ofNanos(10),
                options.withScheduler(time))).hasMessageContaining("PT0.00000001S");
    }
}
