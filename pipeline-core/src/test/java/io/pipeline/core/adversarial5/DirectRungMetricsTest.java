package io.pipeline.core.adversarial5;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.EventMetrics;
import io.pipeline.core.Flow;
import io.pipeline.core.ListenerTime;
import io.pipeline.core.Manager;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.Subscription;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.core.adversarial3.Feed;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * {@code Flow.metrics()} for deliveries on a {@link SyncDispatcher}'s direct rung, through processors whose copy of the
 * direct listener is in each of its states: from one thread, emitted equals delivered for one listener, counts stay
 * exact when the listener is replaced, and listener time is sampled as {@link ListenerTime} documents it — the first
 * delivery only by default, the first and every 1024th with {@code timeDirectCalls(true)}, nothing with
 * {@code metrics(false)}.
 */
class DirectRungMetricsTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RecordingErrorReporter reporter = new RecordingErrorReporter();
    private final AtomicReference<Node> node = new AtomicReference<>();
    /** "m.late": no listener until a test subscribes one. */
    private final AtomicReference<Node> late = new AtomicReference<>();
    private final AtomicLong heardA = new AtomicLong();
    private final AtomicLong heardB = new AtomicLong();
    private Flow flow;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
    }

    /** A flow of one manager "m": a feed, and "m.node" with one listener on each of A and B. */
    private void start(boolean metrics, boolean timeDirectCalls) {
        flow = Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler).errorReporter(reporter)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1))
                        .withRandomFactor(0))
                .metrics(metrics).timeDirectCalls(timeDirectCalls)
                .manager(h -> new Manager("m", h) {
                    {
                        Node n = new Node(processorName("node"), h);
                        n.on(Node.A, s -> heardA.incrementAndGet());
                        n.on(Node.B, s -> heardB.incrementAndGet());
                        node.set(n);
                        late.set(new Node(processorName("late"), h));
                        setSource(new Feed(processorName("feed"), h));
                    }
                }).build();
        flow.start();
    }

    private EventMetrics event(String name) {
        return flow.metrics().manager("m").orElseThrow().processor("m.node").orElseThrow().event(name).orElseThrow();
    }

    /** Emits {@code n} A's as {@code state} says: B once between them for a processor that gives its copy up. */
    private void emitA(Node.State state, int n) {
        Node source = node.get();
        for (int i = 0; i < n; i++) {
            source.emit(Node.A, "a");
            if (state == Node.State.DISOWNED && i == n / 2) {
                source.emit(Node.B, "b");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Node.State.class, names = {"ADOPTED", "DISOWNED"})
    void emittedEqualsDelivered_forOneListener_andListenerTimeIsSampledOnTheFirstDeliveryOnly(Node.State state) {
        start(true, false);
        int n = 3 * 1024 + 1;

        emitA(state, n);

        EventMetrics a = event("a");
        assertThat(heardA).hasValue(n);
        assertThat(a.emitted()).isEqualTo(n);
        assertThat(a.delivered()).isEqualTo(n);
        assertThat(a.deadEvents()).isZero();
        assertThat(a.listenerTime().samples()).isEqualTo(1);
        if (state == Node.State.DISOWNED) {
            assertThat(event("b").emitted()).isEqualTo(1);
            assertThat(event("b").delivered()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Node.State.class, names = {"ADOPTED", "DISOWNED"})
    void withTimeDirectCalls_listenerTimeIsSampledOnTheFirstDeliveryAndEvery1024th(Node.State state) {
        start(true, true);
        int n = 3 * 1024 + 1; // deliveries 1, 1025, 2049 and 3073 are timed

        emitA(state, n);

        EventMetrics a = event("a");
        assertThat(a.emitted()).isEqualTo(n);
        assertThat(a.delivered()).isEqualTo(n);
        assertThat(a.listenerTime().samples()).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(value = Node.State.class, names = {"ADOPTED", "DISOWNED"})
    void listenerReplacedAndJoined_countsStayExact_onePerListenerPerEmit(Node.State state) {
        start(true, false);
        Node source = node.get();
        emitA(state, 1_000);
        Subscription second = source.on(Node.A, s -> heardA.incrementAndGet());
        emitA(state, 100); // two listeners: 200 deliveries
        second.cancel();
        emitA(state, 1_000);

        EventMetrics a = event("a");
        assertThat(a.emitted()).isEqualTo(2_100);
        assertThat(a.delivered()).isEqualTo(2_200).isEqualTo(heardA.get());
    }

    @ParameterizedTest
    @EnumSource(value = Node.State.class, names = {"ADOPTED", "DISOWNED"})
    void metricsOff_theDirectRungStillDelivers_andEveryCountIsZero(Node.State state) {
        start(false, true);
        int n = 5_000;

        emitA(state, n);

        assertThat(heardA).hasValue(n);
        assertThat(flow.metrics().enabled()).isFalse();
        EventMetrics a = event("a");
        assertThat(a.emitted()).isZero();
        assertThat(a.delivered()).isZero();
        assertThat(a.listenerTime()).isEqualTo(ListenerTime.NONE);
        assertThat(flow.metrics().manager("m").orElseThrow().processor("m.node").orElseThrow().emitted()).isZero();
    }

    @Test
    void twoProcessorsOfOneName_oneAdoptedOneDisowned_countsAreTheirSum() {
        start(true, false);
        Node first = node.get();
        Node second = new Node("m.node", flow.handler());
        for (int i = 0; i < 2_000; i++) {
            first.emit(Node.A, "a");
            second.emit(i % 2 == 0 ? Node.A : Node.B, "x");
        }

        assertThat(event("a").emitted()).isEqualTo(3_000);
        assertThat(event("a").delivered()).isEqualTo(3_000).isEqualTo(heardA.get());
        assertThat(event("b").emitted()).isEqualTo(1_000);
        assertThat(event("b").delivered()).isEqualTo(1_000).isEqualTo(heardB.get());
    }

    @ParameterizedTest
    @EnumSource(value = Node.State.class, names = {"FRESH", "ADOPTED"})
    void eventFirstEmittedToNobody_thenListenedTo_theFirstDeliveryIsTimed(Node.State state) {
        start(true, false);
        Node late = this.late.get().prime(state); // the primer's listeners only: its emits are heard
        late.emit(Node.C, "unheard");
        late.on(Node.C, s -> { });
        for (int i = 0; i < 5_000; i++) {
            late.emit(Node.C, "c");
        }

        EventMetrics c = flow.metrics().manager("m").orElseThrow().processor("m.late").map(p -> p.event("c"))
                .orElseThrow().orElseThrow();
        assertThat(c.emitted()).isEqualTo(5_001);
        assertThat(c.delivered()).isEqualTo(5_000);
        assertThat(c.deadEvents()).isEqualTo(1);
        assertThat(c.listenerTime().samples()).as("the first delivery timed").isEqualTo(1);
    }

    @Test
    void eventFirstEmittedToNobody_thenListenedTo_withTimeDirectCalls_theFirstAndEvery1024thDeliveryAreTimed() {
        start(true, true);
        Node late = this.late.get();
        late.emit(Node.C, "unheard");
        late.on(Node.C, s -> { });
        for (int i = 0; i < 2 * 1024 + 1; i++) { // deliveries 1, 1025 and 2049 are timed
            late.emit(Node.C, "c");
        }

        EventMetrics c = flow.metrics().manager("m").orElseThrow().processor("m.late").map(p -> p.event("c"))
                .orElseThrow().orElseThrow();
        assertThat(c.delivered()).isEqualTo(2 * 1024 + 1);
        assertThat(c.listenerTime().samples()).isEqualTo(3);
    }
}
