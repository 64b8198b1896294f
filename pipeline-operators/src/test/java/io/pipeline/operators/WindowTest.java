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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowTest {
    final SyncDispatcher handler = new SyncDispatcher();
    final VirtualTime time = VirtualTime.startingAt(Readings.T0);
    final Pusher in = new Pusher("in", handler);
    final List<Pane<Reading>> panes = new ArrayList<>();
    final List<Object> late = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();

    Window<Reading> window(WindowSpec spec, OperatorOptions options) {
        Window<Reading> w = new Window<>("w", handler, spec, Reading::sensor, Reading::time, options.withClock(time));
        in.on(Readings.READING, w::accept);
        w.on(w.out(), panes::add);
        w.on(Window.LATE, late::add);
        w.on(Processor.ERROR, errors::add);
        return w;
    }

    Window<Reading> window(WindowSpec spec) {
        return window(spec, OperatorOptions.defaults().withFreshState());
    }

    static List<Double> values(Pane<Reading> pane) {
        return pane.items().stream().map(Reading::value).toList();
    }

    static Instant at(long second) {
        return Readings.T0.plusSeconds(second);
    }

    @Test
    void countTumbling_everyNValues_onePane() {
        window(WindowSpec.countTumbling(3));
        for (int i = 1; i <= 7; i++) {
            in.push("k", i, i);
        }
        assertThat(panes).extracting(WindowTest::values).containsExactly(List.of(1.0, 2.0, 3.0), List.of(4.0, 5.0, 6.0));
        assertThat(panes.get(0).start()).isEqualTo(at(1));
        assertThat(panes.get(0).end()).isEqualTo(at(3));
    }

    @Test
    void countSliding_firstPaneAtN_thenEveryKth() {
        window(WindowSpec.countSliding(3, 2));
        for (int i = 1; i <= 8; i++) {
            in.push("k", i, i);
        }
        assertThat(panes).extracting(WindowTest::values).containsExactly(
                List.of(1.0, 2.0, 3.0), List.of(3.0, 4.0, 5.0), List.of(5.0, 6.0, 7.0));
    }

    @Test
    void countWindows_perKey() {
        window(WindowSpec.countTumbling(2));
        in.push("a", 1, 1);
        in.push("b", 1, 10);
        in.push("a", 2, 2);
        assertThat(panes).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("a");
            assertThat(values(p)).containsExactly(1.0, 2.0);
        });
    }

    @Test
    void timeTumbling_startInclusiveEndExclusive_closesWhenWatermarkReachesEnd() {
        window(WindowSpec.timeTumbling(Duration.ofSeconds(10)));
        in.push("k", 0, 1);  // [0, 10)
        in.push("k", 9, 2);
        assertThat(panes).isEmpty();
        in.push("k", 10, 3); // [10, 20); the watermark reaches 10: [0, 10) closes
        assertThat(panes).singleElement().satisfies(p -> {
            assertThat(values(p)).containsExactly(1.0, 2.0);
            assertThat(p.start()).isEqualTo(at(0));
            assertThat(p.end()).isEqualTo(at(10));
            assertThat(p.early()).isFalse();
        });
    }

    @Test
    void timeTumbling_outOfOrderWithinLateness_joinsItsWindow() {
        window(WindowSpec.timeTumbling(Duration.ofSeconds(10)).withAllowedLateness(Duration.ofSeconds(5)));
        in.push("k", 1, 1);
        in.push("k", 12, 2); // watermark 7
        in.push("k", 8, 3);  // 8 >= 7: not late, joins [0, 10)
        in.push("k", 15, 4); // watermark 10: [0, 10) closes
        assertThat(panes).singleElement().satisfies(p -> assertThat(values(p)).containsExactly(1.0, 3.0));
        assertThat(late).isEmpty();
    }

    @Test
    void timeTumbling_beyondLateness_emittedOnLate_neverAdded() {
        Window<Reading> w = window(WindowSpec.timeTumbling(Duration.ofSeconds(10)).withAllowedLateness(Duration.ofSeconds(5)));
        in.push("k", 1, 1);
        in.push("k", 20, 2); // watermark 15: [0, 10) closes
        in.push("k", 9, 3);  // its window [0, 10) closed: late
        in.push("k", 14, 4); // before the watermark, but [10, 20) is open: joins it
        assertThat(late).containsExactly(Reading.at("k", 9, 3));
        assertThat(w.lateCount()).isEqualTo(1);
        w.close();
        assertThat(panes).extracting(WindowTest::values).containsExactly(List.of(1.0), List.of(4.0), List.of(2.0));
    }

    @Test
    void timeSliding_valueBelongsToSizeOverHopWindows() {
        window(WindowSpec.timeSliding(Duration.ofSeconds(10), Duration.ofSeconds(5)));
        in.push("k", 7, 1);  // [0, 10) and [5, 15)
        in.push("k", 12, 2); // [5, 15) and [10, 20)
        in.push("k", 30, 3); // closes all three
        assertThat(panes).extracting(p -> p.start(), WindowTest::values).containsExactly(
                tuple(at(0), List.of(1.0)), tuple(at(5), List.of(1.0, 2.0)), tuple(at(10), List.of(2.0)));
    }

    @Test
    void timeSliding_earlierWindowsClosed_valueJoinsTheOpenOnes_lateOnlyWhenAllClosed() {
        window(WindowSpec.timeSliding(Duration.ofSeconds(10), Duration.ofSeconds(5)));
        in.push("k", 11, 1); // watermark 11: [0, 10) would be closed
        in.push("k", 7, 2);  // [0, 10) closed, [5, 15) open: joins it
        in.push("k", 16, 3); // watermark 16: [5, 15) closes
        in.push("k", 4, 4);  // [-5, 5) and [0, 10) closed: late
        assertThat(panes).extracting(p -> p.start(), WindowTest::values).containsExactly(tuple(at(5), List.of(1.0, 2.0)));
        assertThat(late).containsExactly(Reading.at("k", 4, 4));
    }

    @Test
    void session_gapApartStartsANewSession_lessJoins() {
        window(WindowSpec.session(Duration.ofSeconds(10)));
        in.push("k", 0, 1);
        in.push("k", 9, 2);   // 9 < 10 apart: joins
        in.push("k", 19, 3);  // exactly 10 after 9: a new session; the first closes at 19
        assertThat(panes).singleElement().satisfies(p -> {
            assertThat(values(p)).containsExactly(1.0, 2.0);
            assertThat(p.start()).isEqualTo(at(0));
            assertThat(p.end()).isEqualTo(at(19));
        });
    }

    @Test
    void session_outOfOrderValueBridgesTwoSessions_merged() {
        window(WindowSpec.session(Duration.ofSeconds(10)).withAllowedLateness(Duration.ofSeconds(30)));
        in.push("k", 0, 1);
        in.push("k", 15, 2); // a second session
        in.push("k", 8, 3);  // within 10 of both: merges them
        in.push("k", 100, 4);
        assertThat(panes).singleElement().satisfies(p -> {
            assertThat(values(p)).containsExactlyInAnyOrder(1.0, 2.0, 3.0);
            assertThat(p.start()).isEqualTo(at(0));
            assertThat(p.end()).isEqualTo(at(25));
        });
    }

    @Test
    void timeWindow_quietSensor_closedByTheClockInVirtualTime() {
        window(WindowSpec.timeTumbling(Duration.ofMinutes(1)).withAllowedLateness(Duration.ofSeconds(5)),
                OperatorOptions.defaults().withFreshState().withScheduler(time));
        time.advanceTo(at(10));
        in.push("k", 10, 1);
        time.advance(Duration.ofSeconds(54)); // clock at 64 s: watermark 59
        assertThat(panes).isEmpty();
        time.advance(Duration.ofSeconds(1));  // clock at 65 s: watermark 60 reaches the end
        assertThat(panes).singleElement().satisfies(p -> {
            assertThat(values(p)).containsExactly(1.0);
            assertThat(p.end()).isEqualTo(at(60));
            assertThat(p.early()).isFalse();
        });
        assertThat(time.pending()).isZero();
    }

    @Test
    void timeWindow_clockGrace_holdsTheClockWatermarkBack() {
        window(WindowSpec.timeTumbling(Duration.ofMinutes(1)).withClockGrace(Duration.ofMinutes(15)),
                OperatorOptions.defaults().withFreshState().withScheduler(time));
        in.push("k", 0, 1);
        time.advance(Duration.ofMinutes(15));
        assertThat(panes).isEmpty();
        time.advance(Duration.ofMinutes(1));
        assertThat(panes).hasSize(1);
    }

    @Test
    void withoutClockClosing_onlyEventTimeCloses() {
        window(WindowSpec.timeTumbling(Duration.ofMinutes(1)).withoutClockClosing(),
                OperatorOptions.defaults().withFreshState().withScheduler(time));
        in.push("k", 0, 1);
        time.advance(Duration.ofHours(1));
        assertThat(panes).isEmpty();
        assertThat(time.pending()).isZero();
    }

    @Test
    void close_flushesOpenWindowsAsEarlyPanes() {
        Window<Reading> w = window(WindowSpec.timeTumbling(Duration.ofMinutes(1)));
        in.push("a", 1, 1);
        in.push("b", 2, 2);
        w.close();
        w.close();
        assertThat(panes).extracting(Pane::key, Pane::early).containsExactly(tuple("a", true), tuple("b", true));
        assertThat(w.keys()).isZero();
    }

    @Test
    void close_countWindows_flushPartialPane() {
        Window<Reading> w = window(WindowSpec.countTumbling(5));
        in.push("k", 1, 1);
        in.push("k", 2, 2);
        w.close();
        assertThat(panes).singleElement().satisfies(p -> {
            assertThat(values(p)).containsExactly(1.0, 2.0);
            assertThat(p.early()).isTrue();
        });
    }

    @Test
    void retained_nextInstanceContinuesOpenWindows_afterAnEarlyFlush() {
        OperatorOptions retained = OperatorOptions.defaults();
        Window<Reading> first = window(WindowSpec.countTumbling(3), retained);
        in.push("k", 1, 1);
        in.push("k", 2, 2);
        first.close();
        in.removeAllListeners();
        first.removeAllListeners();
        window(WindowSpec.countTumbling(3), retained);
        in.push("k", 3, 3);
        assertThat(panes).extracting(WindowTest::values, Pane::early)
                .containsExactly(tuple(List.of(1.0, 2.0), true), tuple(List.of(1.0, 2.0, 3.0), false));
    }

    @Test
    void keyEvictedOverTheBound_itsOpenWindowsFlushedEarly() {
        window(WindowSpec.countTumbling(5), OperatorOptions.defaults().withFreshState().withMaxKeys(1));
        in.push("a", 1, 1);
        in.push("b", 1, 2);
        assertThat(panes).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("a");
            assertThat(p.early()).isTrue();
        });
    }

    @Test
    void lateWithoutListener_countedAsADeadEvent_notSilentlyDropped() {
        Window<Reading> w = new Window<>("quiet", handler, WindowSpec.timeTumbling(Duration.ofSeconds(10)),
                Reading::sensor, Reading::time, OperatorOptions.defaults().withFreshState().withClock(time));
        w.accept(Reading.at("k", 30, 1));
        long dead = handler.deadEvents(); // the pane nobody hears: no listener on this window at all
        w.accept(Reading.at("k", 1, 2));
        assertThat(handler.deadEvents()).isEqualTo(dead + 1);
        assertThat(w.lateCount()).isEqualTo(1);
    }

    @Test
    void paneListenerThrows_otherPanesStillDelivered_failureOnError() {
        Window<Reading> w = window(WindowSpec.countTumbling(1));
        List<Pane<Reading>> after = new ArrayList<>();
        w.on(w.out(), pane -> {
            if (pane.items().get(0).value() == 1) {
                throw new IllegalStateException("listener broke on 1");
            }
        });
        w.on(w.out(), after::add);
        in.push("k", 1, 1);
        in.push("k", 2, 2);
        assertThat(after).hasSize(2);
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasRootCauseMessage("listener broke on 1"));
    }

    @Test
    void badInput_nullKeyOrTime_error() {
        window(WindowSpec.countTumbling(1));
        in.push(new Reading(null, at(1), 1));
        in.push(new Reading("k", null, 1));
        assertThat(errors).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(BadInputException.class)
                .hasMessageContaining("'w'"));
        assertThat(panes).isEmpty();
    }

    @Test
    void construction_badSpecs_throwNamingTheValue() {
        assertThatThrownBy(() -> WindowSpec.countTumbling(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(": 0");
        assertThatThrownBy(() -> WindowSpec.countSliding(3, 4)).hasMessageContaining("4").hasMessageContaining("3");
        assertThatThrownBy(() -> WindowSpec.countSliding(3, -1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> WindowSpec.timeTumbling(Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> WindowSpec.timeSliding(Duration.ofSeconds(10), Duration.ofSeconds(11)))
                .hasMessageContaining("PT11S");
        assertThatThrownBy(() -> WindowSpec.session(Duration.ofSeconds(-1))).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> WindowSpec.timeTumbling(Duration.ofSeconds(1)).withAllowedLateness(Duration.ofMillis(-5)))
                .hasMessageContaining("PT-0.005S");
        assertThatThrownBy(() -> WindowSpec.countTumbling(3).withAllowedLateness(Duration.ZERO))
                .hasMessageContaining("countTumbling(3)");
    }
}
