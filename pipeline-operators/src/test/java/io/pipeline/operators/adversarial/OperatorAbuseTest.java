package io.pipeline.operators.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.operators.AlertRule;
import io.pipeline.operators.Anomaly;
import io.pipeline.operators.BadInputException;
import io.pipeline.operators.Operators;
import io.pipeline.operators.Pane;
import io.pipeline.operators.Rolling;
import io.pipeline.operators.Series;
import io.pipeline.operators.Smoothed;
import io.pipeline.operators.Stats;
import io.pipeline.operators.TrendPoint;
import io.pipeline.operators.WindowSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Operators fed what a real feed sends on a bad day, and configured at their extremes. */
class OperatorAbuseTest {
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    static final Event<Reading> READING = Event.of("reading", Reading.class);
    static final Series<Reading> SERIES = Series.of(Reading::sensor, Reading::time, Reading::value);

    record Reading(String sensor, Instant time, double value) {
        static Reading at(long second, double value) {
            return new Reading("s", T0.plusSeconds(second), value);
        }
    }

    static final class Pusher extends Processor {
        Pusher(String name, MessageHandler handler) {
            super(name, handler);
        }

        void push(Reading reading) {
            emit(READING, reading);
        }
    }

    private final SyncDispatcher handler = new SyncDispatcher();
    private final Pusher pusher = new Pusher("in", handler);
    private final Operators ops = Operators.in(handler, local -> "m." + local);
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        ops.close();
        handler.close();
    }

    /** Runs {@code work} on another thread and fails if it does not end within 10 s (a hang or a runaway loop). */
    private static void within10s(Runnable work) throws Exception {
        CompletableFuture<Void> done = CompletableFuture.runAsync(work);
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            done.cancel(true);
            throw new AssertionError("still running after 10 s", e);
        }
    }

    @Test
    void slidingWindow_ofAYearHoppingByANanosecond_isRefusedAtConstruction_namingSizeAndHop() {
        assertThatThrownBy(() -> WindowSpec.timeSliding(Duration.ofDays(365), Duration.ofNanos(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT8760H").hasMessageContaining("PT0.000000001S");
        assertThat(WindowSpec.timeSliding(Duration.ofSeconds(100_000), Duration.ofSeconds(1)).hop())
                .isEqualTo(Duration.ofSeconds(1)); // at the bound
    }

    @Test
    void slidingWindow_atTheBound_handlesValuesWithoutARunawayLoop() throws Exception {
        List<Pane<Reading>> panes = new CopyOnWriteArrayList<>();
        ops.onErrors(errors::add);
        ops.from(pusher, READING).window(WindowSpec.timeSliding(Duration.ofSeconds(WindowSpec.MAX_PANES_PER_VALUE),
                Duration.ofSeconds(1)).withoutClockClosing(), Reading::sensor, Reading::time).to(panes::add);
        within10s(() -> {
            pusher.push(Reading.at(0, 1));
            pusher.push(Reading.at(1, 2));
        });
        assertThat(errors).isEmpty();
        assertThat(panes).hasSize(1); // the pane ending at second 1 closed when the watermark reached it
    }

    @Test
    void countWindowsOfIntegerMaxValue_doNotPreallocate() throws Exception {
        List<Pane<Reading>> tumbling = new CopyOnWriteArrayList<>();
        List<Pane<Reading>> sliding = new CopyOnWriteArrayList<>();
        List<Stats> stats = new CopyOnWriteArrayList<>();
        ops.onErrors(errors::add);
        ops.from(pusher, READING).named("tumbling").window(WindowSpec.countTumbling(Integer.MAX_VALUE),
                Reading::sensor, Reading::time).to(tumbling::add);
        ops.from(pusher, READING).named("sliding").window(WindowSpec.countSliding(Integer.MAX_VALUE, 1),
                Reading::sensor, Reading::time).to(sliding::add);
        ops.from(pusher, READING).named("stats").stats(SERIES, Rolling.count(Integer.MAX_VALUE)).to(stats::add);

        within10s(() -> {
            for (int i = 0; i < 3; i++) {
                pusher.push(Reading.at(i, i));
            }
        });

        assertThat(errors).isEmpty();
        assertThat(stats).hasSize(3);
        assertThat(stats.get(2).count()).isEqualTo(3);
        assertThat(stats.get(2).mean()).isEqualTo(1.0);
    }

    @Test
    void eventTimesBeyondTheNanosecondRange_areBadInput_andTheStateIsUntouched() {
        List<Stats> stats = new CopyOnWriteArrayList<>();
        ops.onErrors(errors::add);
        ops.from(pusher, READING).stats(SERIES, Rolling.time(Duration.ofMinutes(10))).to(stats::add);

        pusher.push(Reading.at(0, 1));
        pusher.push(new Reading("s", Instant.parse("2300-01-01T00:00:00Z"), 5));
        pusher.push(new Reading("s", Instant.MIN, 5));
        pusher.push(Reading.at(1, 3));

        assertThat(errors).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(BadInputException.class));
        assertThat(stats).extracting(Stats::count).containsExactly(1L, 2L);
        assertThat(stats.get(1).mean()).isEqualTo(2.0);
    }

    @Test
    void hugeFiniteValues_neverYieldNaNStatistics() {
        List<Stats> stats = new CopyOnWriteArrayList<>();
        ops.onErrors(errors::add);
        ops.from(pusher, READING).stats(SERIES, Rolling.count(4)).to(stats::add);

        pusher.push(Reading.at(0, Double.MAX_VALUE));
        pusher.push(Reading.at(1, -Double.MAX_VALUE));
        pusher.push(Reading.at(2, Double.MAX_VALUE));

        for (Stats s : stats) {
            assertThat(Double.isNaN(s.mean()) || Double.isNaN(s.variance()) || Double.isNaN(s.stdDev()))
                    .as("NaN in %s", s).isFalse();
        }
    }

    @Test
    void outOfOrderTimes_neverMakeTheEwmaLeaveTheRangeOfItsInputs() {
        List<Smoothed> smoothed = new CopyOnWriteArrayList<>();
        ops.onErrors(errors::add);
        ops.from(pusher, READING).ewma(SERIES, Duration.ofSeconds(10)).to(smoothed::add);

        pusher.push(Reading.at(100, 10));
        pusher.push(Reading.at(0, 20)); // 100 s in the past
        pusher.push(Reading.at(100, 10)); // the same instant again
        pusher.push(Reading.at(101, 15));

        assertThat(smoothed).isNotEmpty().allSatisfy(s -> assertThat(s.average()).isBetween(10.0, 20.0));
    }

    @Test
    void trend_overValuesAllAtOneInstant_isFlatOrAbsent_neverNaN() {
        List<TrendPoint> trend = new CopyOnWriteArrayList<>();
        ops.onErrors(errors::add);
        ops.from(pusher, READING).trend(SERIES, Rolling.count(5), Duration.ofHours(1), 0.1).to(trend::add);

        for (int i = 0; i < 5; i++) {
            pusher.push(Reading.at(0, i * 100));
        }

        assertThat(trend).allSatisfy(t -> assertThat(Double.isFinite(t.slope())).as("%s", t).isTrue());
    }

    @Test
    void anomalies_afterAPerfectlyFlatWarmUp_aSpikeIsReported_withAFiniteScore() {
        List<Anomaly> anomalies = new CopyOnWriteArrayList<>();
        ops.onErrors(errors::add);
        ops.from(pusher, READING).anomalies(SERIES, 10).to(anomalies::add);

        for (int i = 0; i < 20; i++) {
            pusher.push(Reading.at(i, 5.0));
        }
        pusher.push(Reading.at(20, 50.0));

        assertThat(anomalies).allSatisfy(a -> assertThat(Double.isNaN(a.score())).isFalse());
        assertThat(anomalies).hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void badRuleAndWindowArguments_areRefusedNamingThem() {
        assertThatThrownBy(() -> AlertRule.above("hot", Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> AlertRule.above("hot", 30).withHysteresis(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hysteresis");
        assertThatThrownBy(() -> AlertRule.above("hot", 30).withHysteresis(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hysteresis");
        assertThatThrownBy(() -> AlertRule.above(null, 30)).hasMessageContaining("name");
        assertThatThrownBy(() -> AlertRule.above(" ", 30)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> AlertRule.above("hot", 30).withFor(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AlertRule.above("hot", 30).withCooldown(ChronoUnit.FOREVER.getDuration()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT");
        assertThatThrownBy(() -> WindowSpec.timeTumbling(ChronoUnit.FOREVER.getDuration()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window size");
        assertThatThrownBy(() -> WindowSpec.timeTumbling(Duration.ZERO)).hasMessageContaining("window size");
        assertThatThrownBy(() -> WindowSpec.session(Duration.ofSeconds(-1))).hasMessageContaining("session gap");
        assertThatThrownBy(() -> WindowSpec.timeTumbling(Duration.ofMinutes(1))
                .withAllowedLateness(Duration.ofSeconds(-1))).hasMessageContaining("lateness");
        assertThatThrownBy(() -> Rolling.count(0)).hasMessageContaining("0");
        assertThatThrownBy(() -> ops.from(pusher, READING).ewma(SERIES, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("half");
        assertThatThrownBy(() -> ops.from(pusher, READING).anomalies(SERIES, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> ops.from(pusher, READING).dedup(Reading::sensor, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ops.from(pusher, READING).throttle(Reading::sensor, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ops.from(pusher, READING).stale(Reading::sensor, Duration.ofNanos(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
