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

/** Dedup, throttle, and the stateless operators. */
class FlowControlTest {
    final SyncDispatcher handler = new SyncDispatcher();
    final VirtualTime time = VirtualTime.startingAt(Readings.T0);
    final Pusher in = new Pusher("in", handler);
    final List<Reading> out = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();
    final OperatorOptions options = OperatorOptions.defaults().withClock(time).withFreshState();

    // ---- dedup --------------------------------------------------------------------------------------------

    Dedup<Reading> dedup(Duration horizon, OperatorOptions options) {
        // Open-Meteo: the same current.time for 15 minutes, polled every 10 s
        Dedup<Reading> dedup = new Dedup<>("dedup", handler, r -> List.of(r.sensor(), r.time()), horizon, options);
        in.on(Readings.READING, dedup::accept);
        dedup.on(dedup.out(), out::add);
        dedup.on(Processor.ERROR, errors::add);
        return dedup;
    }

    @Test
    void dedup_samePayloadPolledEvery10sFor15Minutes_emittedOnce() {
        Dedup<Reading> dedup = dedup(Duration.ofMinutes(20), options);
        for (int poll = 0; poll < 180; poll++) { // 30 minutes of polls
            long quarter = (poll * 10L) / 900 * 900;
            in.push("berlin", quarter, 5);
            in.push("paris", quarter, 7);
            time.advance(Duration.ofSeconds(10));
        }
        assertThat(out).extracting(Reading::sensor).containsExactly("berlin", "paris", "berlin", "paris");
        assertThat(dedup.duplicates()).isEqualTo(356);
    }

    @Test
    void dedup_afterTheHorizon_theKeyPassesAgain() {
        dedup(Duration.ofMinutes(1), options);
        in.push("k", 0, 1);
        time.advance(Duration.ofSeconds(59));
        in.push("k", 0, 1);
        time.advance(Duration.ofSeconds(1));
        in.push("k", 0, 1);
        assertThat(out).hasSize(2);
    }

    @Test
    void dedup_memoryBounded_eldestKeyForgotten() {
        Dedup<Reading> dedup = dedup(Duration.ofHours(1), options.withMaxKeys(2));
        in.push("a", 0, 1);
        in.push("b", 0, 1);
        in.push("c", 0, 1);
        assertThat(dedup.keys()).isEqualTo(2);
        in.push("a", 0, 1); // forgotten: passes again
        in.push("c", 0, 1); // remembered
        assertThat(out).extracting(Reading::sensor).containsExactly("a", "b", "c", "a");
    }

    @Test
    void dedup_nullKey_error() {
        Dedup<Reading> dedup = new Dedup<>("d", handler, Reading::sensor, Duration.ofMinutes(1), options);
        dedup.on(Processor.ERROR, errors::add);
        dedup.accept(new Reading(null, Readings.T0, 1));
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("'d'"));
        assertThatThrownBy(() -> new Dedup<>("d2", handler, Reading::sensor, Duration.ZERO, options))
                .hasMessageContaining("PT0S");
    }

    // ---- throttle -----------------------------------------------------------------------------------------

    Throttle<Reading> throttle(Duration interval) {
        Throttle<Reading> throttle = new Throttle<>("throttle", handler, Reading::sensor, interval,
                options.withScheduler(time));
        in.on(Readings.READING, throttle::accept);
        throttle.on(throttle.out(), out::add);
        return throttle;
    }

    @Test
    void throttle_firstAtOnce_thenLatestWinsAtTheEndOfTheInterval() {
        throttle(Duration.ofSeconds(10));
        in.push("k", 0, 1);
        time.advance(Duration.ofSeconds(3));
        in.push("k", 3, 2);
        in.push("k", 4, 3);
        assertThat(out).extracting(Reading::value).containsExactly(1.0);
        time.advance(Duration.ofSeconds(7)); // interval ends at 10 s: the latest, 3
        assertThat(out).extracting(Reading::value).containsExactly(1.0, 3.0);
        time.advance(Duration.ofSeconds(10)); // nothing pending: the key closes
        assertThat(out).hasSize(2);
        in.push("k", 25, 4);
        assertThat(out).extracting(Reading::value).containsExactly(1.0, 3.0, 4.0);
    }

    @Test
    void throttle_atMostOnePerKeyPerInterval_keysIndependent() {
        throttle(Duration.ofSeconds(10));
        for (int s = 0; s < 60; s++) {
            in.push("a", s, s);
            in.push("b", s, -s);
            time.advance(Duration.ofSeconds(1));
        }
        assertThat(out.stream().filter(r -> r.sensor().equals("a"))).hasSize(7); // 0, then 9, 19, ..., 59
        assertThat(out.stream().filter(r -> r.sensor().equals("b"))).hasSize(7);
    }

    @Test
    void throttle_close_emitsPending_stopsTimers() {
        Throttle<Reading> throttle = throttle(Duration.ofSeconds(10));
        in.push("k", 0, 1);
        in.push("k", 1, 2);
        throttle.close();
        assertThat(out).extracting(Reading::value).containsExactly(1.0, 2.0);
        time.advance(Duration.ofMinutes(1));
        assertThat(out).hasSize(2);
        assertThat(throttle.keys()).isZero();
    }

    // ---- stateless ----------------------------------------------------------------------------------------

    @Test
    void map_nullResultEmitsNothing_filter_flatMap() {
        Mapper<Reading, Double> map = new Mapper<>("map", handler, r -> r.value() < 0 ? null : r.value() * 2);
        Filter<Double> filter = new Filter<>("filter", handler, v -> v > 2);
        FlatMapper<Double, Double> flat = new FlatMapper<>("flat", handler, v -> List.of(v, v + 1));
        List<Double> results = new ArrayList<>();
        in.on(Readings.READING, map::accept);
        map.on(map.out(), filter::accept);
        filter.on(filter.out(), flat::accept);
        flat.on(flat.out(), results::add);
        in.push("k", 0, 1);  // 2: filtered out
        in.push("k", 1, -1); // null: nothing
        in.push("k", 2, 3);  // 6 -> 6, 7
        assertThat(results).containsExactly(6.0, 7.0);
    }

    @Test
    void merge_fanInOfSeveralEvents() {
        Pusher other = new Pusher("other", handler);
        Merge<Reading> merge = new Merge<>("merge", handler);
        merge.from(in, Readings.READING);
        merge.from(other, Readings.READING);
        merge.on(merge.out(), out::add);
        in.push("a", 0, 1);
        other.push("b", 0, 2);
        in.push("a", 1, 3);
        assertThat(out).extracting(Reading::sensor).containsExactly("a", "b", "a");
    }

    @Test
    void map_functionThrows_errorOfThatProcessor_nextPayloadStillMapped() {
        Mapper<Reading, Double> map = new Mapper<>("map", handler, r -> {
            if (r.value() == 0) {
                throw new IllegalStateException("cannot map 0");
            }
            return r.value();
        });
        List<Double> results = new ArrayList<>();
        in.on(Readings.READING, map::accept);
        in.on(Processor.ERROR, errors::add);
        map.on(map.out(), results::add);
        in.push("k", 0, 0);
        in.push("k", 1, 5);
        assertThat(results).containsExactly(5.0);
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasRootCauseMessage("cannot map 0"));
    }
}
