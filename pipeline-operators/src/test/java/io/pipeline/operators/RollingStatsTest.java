package io.pipeline.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.operators.Readings.Pusher;
import io.pipeline.operators.Readings.Reading;
import io.pipeline.testing.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class RollingStatsTest {
    final SyncDispatcher handler = new SyncDispatcher();
    final VirtualTime time = VirtualTime.startingAt(Readings.T0);
    final Pusher in = new Pusher("in", handler);
    final List<Stats> out = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();
    final List<Object> late = new ArrayList<>();

    RollingStats<Reading> stats(Rolling window, OperatorOptions options) {
        RollingStats<Reading> stats = new RollingStats<>("stats", handler, Readings.SERIES, window,
                options.withClock(time).withFreshState());
        in.on(Readings.READING, stats::accept);
        stats.on(RollingStats.STATS, out::add);
        stats.on(Processor.ERROR, errors::add);
        stats.on(RollingStats.LATE, late::add);
        return stats;
    }

    static void assertMatches(Stats got, List<Double> window) {
        Exact exact = Exact.of(window);
        assertThat(got.count()).isEqualTo(exact.count());
        double scale = Math.max(Math.abs(exact.sum()), exact.absSum() * 1e-3);
        assertThat(got.sum()).isCloseTo(exact.sum(), within(1e-9 * scale));
        assertThat(got.mean()).isCloseTo(exact.mean(), within(1e-9 * scale / exact.count()));
        assertThat(got.variance()).isCloseTo(exact.variance(), within(1e-9 * exact.variance() + 1e-300));
        assertThat(got.stdDev()).isCloseTo(Math.sqrt(exact.variance()), within(1e-9 * Math.sqrt(exact.variance()) + 1e-300));
        assertThat(got.min()).isEqualTo(exact.min());
        assertThat(got.max()).isEqualTo(exact.max());
        assertThat(got.first()).isEqualTo(window.get(0));
        assertThat(got.last()).isEqualTo(window.get(window.size() - 1));
    }

    /** Feeds {@code total} values into a count window of {@code n}, checking against BigDecimal every so often. */
    void checkCountWindow(int n, int total, DoubleSupplier values) {
        stats(Rolling.count(n), OperatorOptions.defaults());
        ArrayDeque<Double> window = new ArrayDeque<>();
        for (int i = 0; i < total; i++) {
            double x = values.getAsDouble();
            in.push("k", i, x);
            window.addLast(x);
            if (window.size() > n) {
                window.removeFirst();
            }
            if (i % 97 == 0 || i == total - 1 || i < 3) {
                assertMatches(out.get(out.size() - 1), List.copyOf(window));
            }
        }
        assertThat(out).hasSize(total);
    }

    @Test
    void countWindow_valuesAround1e9PlusMinus1_matchBigDecimalTo1e9Relative() {
        SplittableRandom random = new SplittableRandom(11);
        checkCountWindow(1000, 20_000, () -> 1e9 + (random.nextDouble() * 2 - 1));
    }

    @Test
    void countWindow_offsetsUpTo1e9AndTwelveOrdersOfMagnitude_matchBigDecimal() {
        SplittableRandom random = new SplittableRandom(12);
        double[] offsets = {0, 1e3, 1e6, 1e9, -1e9};
        double[] offset = {0};
        int[] i = {0};
        checkCountWindow(50, 20_000, () -> {
            if (i[0]++ % 3000 == 0) {
                offset[0] = offsets[random.nextInt(offsets.length)];
            }
            return offset[0] + Math.pow(10, random.nextDouble(-6, 6)) * (random.nextBoolean() ? 1 : -1);
        });
    }

    @Test
    void countWindow_hugeValueLeavesTheWindow_smallVarianceStillExact() {
        SplittableRandom random = new SplittableRandom(13);
        int[] i = {0};
        checkCountWindow(10, 3000, () -> i[0]++ % 500 == 0 ? 1e12 : 1 + random.nextDouble() * 1e-6);
    }

    @Test
    void countWindow_ofOne_isTheValue() {
        checkCountWindow(1, 50, new SplittableRandom(3)::nextDouble);
        assertThat(out).allSatisfy(s -> assertThat(s.variance()).isZero());
    }

    @Test
    void countWindow_ofTwo_firstHasZeroVariance() {
        checkCountWindow(2, 50, new SplittableRandom(4)::nextDouble);
        assertThat(out.get(0).variance()).isZero();
        assertThat(out.get(1).variance()).isPositive();
    }

    @Test
    void timeWindow_randomGapsAndOffsets_matchBigDecimal() {
        stats(Rolling.time(Duration.ofSeconds(60)), OperatorOptions.defaults());
        SplittableRandom random = new SplittableRandom(21);
        ArrayDeque<double[]> window = new ArrayDeque<>();
        long t = 0;
        for (int i = 0; i < 20_000; i++) {
            t += random.nextLong(0, 3000);
            double x = 1e9 + random.nextGaussian() * Math.pow(10, random.nextInt(-3, 3));
            in.push(new Reading("k", Readings.T0.plusMillis(t), x));
            window.addLast(new double[] {t, x});
            while (window.peekFirst()[0] <= t - 60_000) {
                window.removeFirst();
            }
            if (i % 89 == 0) {
                assertMatches(out.get(out.size() - 1), window.stream().map(p -> p[1]).toList());
            }
        }
    }

    @Test
    void timeWindow_startExclusive_endInclusive() {
        stats(Rolling.time(Duration.ofSeconds(10)), OperatorOptions.defaults());
        in.push("k", 0, 1);
        in.push("k", 9, 2);
        in.push("k", 10, 4); // 0 leaves: the window is (0, 10]
        assertThat(out).extracting(Stats::count).containsExactly(1L, 2L, 2L);
        assertThat(out.get(2).sum()).isEqualTo(6);
        assertThat(out.get(2).time()).isEqualTo(Readings.T0.plusSeconds(10));
    }

    @Test
    void timeWindow_valueAtOrBeforeTheWindowStart_isLate_notCounted() {
        stats(Rolling.time(Duration.ofSeconds(10)), OperatorOptions.defaults());
        in.push("k", 20, 1);
        in.push("k", 15, 2); // within the window: counted
        in.push("k", 10, 3); // at newest - size: late
        assertThat(out).extracting(Stats::count).containsExactly(1L, 2L);
        assertThat(late).singleElement().isEqualTo(Reading.at("k", 10, 3));
    }

    @Test
    void keys_haveSeparateWindows() {
        stats(Rolling.count(2), OperatorOptions.defaults());
        in.push("a", 1, 1);
        in.push("b", 1, 100);
        in.push("a", 2, 3);
        assertThat(out).extracting(Stats::key, Stats::mean).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a", 1.0), org.assertj.core.groups.Tuple.tuple("b", 100.0),
                org.assertj.core.groups.Tuple.tuple("a", 2.0));
    }

    @Test
    void badInput_nanInfiniteNullKeyNullTime_errorNamingOperatorAndKey_statsUntouched() {
        stats(Rolling.count(3), OperatorOptions.defaults());
        in.push("k", 1, 10);
        in.push("k", 2, Double.NaN);
        in.push("k", 3, Double.POSITIVE_INFINITY);
        in.push(new Reading(null, Readings.T0, 1));
        in.push(new Reading("k", null, 1));
        in.push("k", 4, 20);
        assertThat(errors).hasSize(4).allSatisfy(e -> assertThat(e).isInstanceOf(BadInputException.class));
        assertThat(errors.get(0)).hasMessageContaining("'stats'").hasMessageContaining("key k").hasMessageContaining("NaN");
        assertThat(((BadInputException) errors.get(0)).key()).isEqualTo("k");
        assertThat(((BadInputException) errors.get(0)).operator()).isEqualTo("stats");
        assertThat(errors.get(1)).hasMessageContaining("Infinity");
        assertThat(errors.get(2)).hasMessageContaining("key is null");
        assertThat(errors.get(3)).hasMessageContaining("time is null");
        assertThat(out).extracting(Stats::count, Stats::mean).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1L, 10.0), org.assertj.core.groups.Tuple.tuple(2L, 15.0));
    }

    @Test
    void keys_overTheBound_eldestEvicted() {
        RollingStats<Reading> stats = stats(Rolling.count(5), OperatorOptions.defaults().withMaxKeys(2));
        in.push("a", 1, 1);
        in.push("b", 1, 1);
        in.push("a", 2, 1); // a is now the newest
        in.push("c", 1, 1); // evicts b
        in.push("b", 2, 7);
        assertThat(stats.keys()).isEqualTo(2);
        assertThat(stats.evictedKeys()).isEqualTo(2);
        assertThat(out.get(out.size() - 1).count()).isEqualTo(1); // b started over
    }

    @Test
    void keys_idleForTheHorizonOfEventTime_evicted() {
        RollingStats<Reading> stats = stats(Rolling.count(5), OperatorOptions.defaults().withIdleEviction(Duration.ofMinutes(10)));
        in.push("a", 0, 1);
        in.push("b", 0, 1);
        in.push("b", 540, 1);
        assertThat(stats.keys()).isEqualTo(2);
        in.push("b", 600, 1); // a's newest value is 10 minutes behind: gone
        assertThat(stats.keys()).isEqualTo(1);
        in.push("a", 601, 1);
        assertThat(out.get(out.size() - 1).count()).isEqualTo(1);
    }

    @Test
    void construction_badSizes_throwNamingTheValue() {
        assertThatThrownBy(() -> Rolling.count(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(": 0");
        assertThatThrownBy(() -> Rolling.time(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Rolling.time(Duration.ofSeconds(-1))).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> OperatorOptions.defaults().withMaxKeys(-3)).hasMessageContaining("-3");
        assertThatThrownBy(() -> Rolling.time(Duration.ofSeconds(Long.MAX_VALUE))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too long");
    }

    @Test
    void statsOfPane_twoPass() {
        Pane<Double> pane = new Pane<>("k", Instant.EPOCH, Instant.EPOCH.plusSeconds(1), List.of(1e9 + 1, 1e9 - 1, 1e9), false);
        Stats s = Stats.of(pane, x -> x);
        assertThat(s.mean()).isEqualTo(1e9);
        assertThat(s.variance()).isEqualTo(1.0);
        assertThat(s.populationVariance()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(s.time()).isEqualTo(Instant.EPOCH.plusSeconds(1));
    }
}
