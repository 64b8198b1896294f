package io.pipeline.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.RetainedState;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.operators.Readings.Pusher;
import io.pipeline.operators.Readings.Reading;
import io.pipeline.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A successor built under the same name on the same handler — what a flow's restart does — continues the
 * state; a different configuration or a fresh operator does not.
 */
class RetainedStateTest {
    final SyncDispatcher handler = new SyncDispatcher();
    final VirtualTime time = VirtualTime.startingAt(Readings.T0);
    final Pusher in = new Pusher("in", handler);
    final OperatorOptions options = OperatorOptions.defaults().withClock(time);

    /** What a restart does to the wiring: every listener of the old instances goes. */
    void restart() {
        in.removeAllListeners();
    }

    @Test
    void thresholdAlert_openEpisodeSurvives_noSecondRaised_oneCleared() {
        List<Alert> alerts = new ArrayList<>();
        AlertRule rule = AlertRule.above("hot", 30).withHysteresis(2);
        ThresholdAlert<Reading> first = new ThresholdAlert<>("m.alert", handler, Readings.SERIES, rule, options);
        in.on(Readings.READING, first::accept);
        first.on(ThresholdAlert.ALERT, alerts::add);
        in.push("k", 0, 31);
        restart();
        first.removeAllListeners();

        ThresholdAlert<Reading> second = new ThresholdAlert<>("m.alert", handler, Readings.SERIES, rule, options);
        in.on(Readings.READING, second::accept);
        second.on(ThresholdAlert.ALERT, alerts::add);
        in.push("k", 10, 32);
        in.push("k", 20, 27);
        assertThat(alerts).extracting(Alert::state).containsExactly(AlertState.RAISED, AlertState.CLEARED);
    }

    @Test
    void dedup_seenKeysSurvive_restartDoesNotReEmit() {
        List<Reading> out = new ArrayList<>();
        Dedup<Reading> first = new Dedup<>("m.dedup", handler, Reading::time, Duration.ofMinutes(20), options);
        in.on(Readings.READING, first::accept);
        first.on(first.out(), out::add);
        in.push("k", 900, 5);
        restart();
        first.removeAllListeners();

        Dedup<Reading> second = new Dedup<>("m.dedup", handler, Reading::time, Duration.ofMinutes(20), options);
        in.on(Readings.READING, second::accept);
        second.on(second.out(), out::add);
        in.push("k", 900, 5);
        assertThat(out).hasSize(1);
    }

    @Test
    void rollingStats_otherWindowSize_startsFresh_andReplacesTheKeptState() {
        List<Stats> out = new ArrayList<>();
        RollingStats<Reading> first = new RollingStats<>("m.stats", handler, Readings.SERIES, Rolling.count(10), options);
        in.on(Readings.READING, first::accept);
        in.push("k", 0, 1);
        in.push("k", 1, 2);
        restart();

        RollingStats<Reading> second = new RollingStats<>("m.stats", handler, Readings.SERIES, Rolling.count(5), options);
        in.on(Readings.READING, second::accept);
        second.on(RollingStats.STATS, out::add);
        in.push("k", 2, 3);
        assertThat(out).singleElement().satisfies(s -> assertThat(s.count()).isEqualTo(1));

        restart();
        RollingStats<Reading> third = new RollingStats<>("m.stats", handler, Readings.SERIES, Rolling.count(5), options);
        in.on(Readings.READING, third::accept);
        in.push("k", 3, 4);
        assertThat(out).extracting(Stats::count).containsExactly(1L, 2L);
    }

    @Test
    void freshOperator_keepsNothingInTheStore() {
        new RollingStats<>("m.fresh", handler, Readings.SERIES, Rolling.count(10), options.withFreshState());
        new Window<>("m.window", handler, WindowSpec.countTumbling(2), Reading::sensor, Reading::time,
                options.withFreshState());
        assertThat(RetainedState.of(handler).contains("m.fresh")).isFalse();
        assertThat(RetainedState.of(handler).contains("m.window")).isFalse();
        new RollingStats<>("m.kept", handler, Readings.SERIES, Rolling.count(10), options);
        assertThat(RetainedState.of(handler).contains("m.kept")).isTrue();
    }
}
