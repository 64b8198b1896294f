package io.pipeline.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.operators.Readings.Pusher;
import io.pipeline.operators.Readings.Reading;
import io.pipeline.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorsChainTest {
    final SyncDispatcher handler = new SyncDispatcher();
    final VirtualTime time = VirtualTime.startingAt(Readings.T0);
    final Pusher source = new Pusher("m.source", handler);
    final Operators ops = Operators.in(handler, local -> "m." + local,
            OperatorOptions.defaults().withClock(time).withScheduler(time).withFreshState());

    @Test
    void chain_createsNamedOrdinaryProcessors_wiredInOrder() {
        List<Stats> stats = new ArrayList<>();
        ops.from(source, Readings.READING)
                .filter(r -> r.value() > 0)
                .map(r -> new Reading(r.sensor(), r.time(), r.value() * 10))
                .named("rolling").stats(Readings.SERIES, Rolling.count(3))
                .to(stats::add);
        source.push("k", 1, 1);
        source.push("k", 2, -1);
        source.push("k", 3, 2);
        assertThat(ops.processors()).extracting(Processor::name).containsExactly("m.filter-1", "m.map-2", "m.rolling");
        assertThat(stats).extracting(Stats::mean).containsExactly(10.0, 15.0);
        assertThat(ops.processors().get(2).listenerCount(RollingStats.STATS)).isEqualTo(1);
    }

    @Test
    void windowedStats_hourlyPerSensor_closedByTheClockToo() {
        List<Stats> hourly = new ArrayList<>();
        ops.from(source, Readings.READING).stats(WindowSpec.timeTumbling(Duration.ofHours(1)), Readings.SERIES)
                .to(hourly::add);
        source.push("a", 0, 1);
        source.push("a", 1800, 3);
        source.push("b", 60, 10);
        source.push("a", 3600, 5); // the first hour closes for both sensors
        assertThat(hourly).extracting(Stats::key, Stats::mean).containsExactlyInAnyOrder( // key by key, eldest first
                org.assertj.core.groups.Tuple.tuple("a", 2.0), org.assertj.core.groups.Tuple.tuple("b", 10.0));
        time.advance(Duration.ofHours(2)); // nothing more arrives: the clock closes the second hour
        assertThat(hourly).hasSize(3);
        assertThat(hourly.get(2).time()).isEqualTo(Readings.T0.plusSeconds(7200));
        assertThat(ops.processors()).extracting(Processor::name).containsExactly("m.window-1", "m.map-2");
    }

    @Test
    void chain_branches_dashboardShape() {
        List<Object> out = new ArrayList<>();
        Chain<Reading> readings = ops.from(source, Readings.READING).dedup(r -> List.of(r.sensor(), r.time()),
                Duration.ofMinutes(20));
        readings.stats(Readings.SERIES, Rolling.time(Duration.ofHours(1))).to(out::add);
        readings.trend(Readings.SERIES, Rolling.time(Duration.ofHours(1)), Duration.ofHours(1), 0.1).to(out::add);
        readings.anomalies(Readings.SERIES, 10).to(out::add);
        readings.alert(Readings.SERIES, AlertRule.above("hot", 30).withHysteresis(1)).to(out::add);
        readings.stale(Reading::sensor, Duration.ofMinutes(30)).to(out::add);
        source.push("k", 0, 31);
        source.push("k", 0, 31); // a duplicate
        source.push("k", 600, 32);
        assertThat(out).filteredOn(Stats.class::isInstance).hasSize(2);
        assertThat(out).filteredOn(TrendPoint.class::isInstance).hasSize(1);
        assertThat(out).filteredOn(Alert.class::isInstance).hasSize(1);
        time.advance(Duration.ofMinutes(30));
        assertThat(out).filteredOn(a -> a instanceof Alert alert && alert.state() == AlertState.STALE).hasSize(1);
    }

    @Test
    void close_closesUpstreamFirst_windowFlushReachesTheThrottleFlush() {
        List<Pane<Reading>> panes = new ArrayList<>();
        ops.from(source, Readings.READING)
                .window(WindowSpec.timeTumbling(Duration.ofMinutes(1)), Reading::sensor, Reading::time)
                .throttle(Pane::key, Duration.ofMinutes(5))
                .to(panes::add);
        source.push("k", 1, 1);
        ops.close();
        assertThat(panes).singleElement().satisfies(p -> assertThat(p.early()).isTrue());
        assertThat(time.pending()).isZero();
        assertThatThrownBy(() -> ops.from(source, Readings.READING).map(r -> r)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void onErrors_reachesEveryStep_beforeAndAfter() {
        List<Throwable> errors = new ArrayList<>();
        Chain<Reading> start = ops.from(source, Readings.READING);
        start.stats(Readings.SERIES, Rolling.count(2)).to(s -> { });
        ops.onErrors(errors::add);
        start.anomalies(Readings.SERIES, 2).to(a -> { });
        source.push("k", 1, Double.NaN);
        assertThat(errors).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(BadInputException.class));
    }

    @Test
    void ownScheduler_startedOnlyWhenNeeded_andStoppedOnClose() throws Exception {
        Operators own = Operators.in(handler, local -> "n." + local);
        own.from(source, Readings.READING).map(r -> r);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("pipeline-operators-n."));
        own.from(source, Readings.READING).throttle(Reading::sensor, Duration.ofSeconds(1)).to(r -> { });
        source.push("k", 1, 1); // schedules a timer: the thread exists
        Thread thread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("pipeline-operators-n.throttle-2")).findFirst().orElseThrow();
        own.close();
        thread.join(10_000);
        assertThat(thread.isAlive()).isFalse();
    }
}
