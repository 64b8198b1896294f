package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every figure of {@link Flow#metrics()}, driven and read back. */
class FlowMetricsTest {
    static final Event<String> WORD = FlowTest.WORD;
    static final Event<String> UNHEARD = Event.of("unheard", String.class);

    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final RecordingErrorReporter reporter = new RecordingErrorReporter();
    Flow flow;
    FlowTest.TestManager manager;

    @AfterEach
    void closeFlow() {
        if (flow != null) {
            flow.close();
        }
    }

    Flow.Builder builder(MessageHandler handler) {
        return Flow.builder().name("metrics-test").handler(handler).clock(clock).scheduler(scheduler)
                .errorReporter(reporter)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)).withRandomFactor(0));
    }

    Flow startSync() {
        flow = builder(new SyncDispatcher()).manager(handler -> manager = new FlowTest.TestManager("m", handler, true))
                .build();
        flow.start();
        return flow;
    }

    ManagerMetrics m() {
        return flow.metrics().manager("m").orElseThrow();
    }

    ProcessorMetrics processor(String name) {
        return m().processor(name).orElseThrow();
    }

    // ---- per processor and event ------------------------------------------------------------------------------

    @Test
    void emitsAndDeliveries_onTheDirectPath_areCountedPerProcessorAndEvent() {
        startSync();
        for (int i = 0; i < 3; i++) {
            manager.source.emit(WORD, "w" + i);
        }

        ProcessorMetrics source = processor("m.source");
        assertThat(source.emitted()).isEqualTo(3);
        assertThat(source.delivered()).isEqualTo(3);
        assertThat(source.event("word")).get().satisfies(e -> {
            assertThat(e.emitted()).isEqualTo(3);
            assertThat(e.delivered()).isEqualTo(3);
            assertThat(e.listenerFailures()).isZero();
            assertThat(e.deadEvents()).isZero();
        });
        assertThat(processor("m.processor").emitted()).isEqualTo(3);
        assertThat(processor("m.processor").delivered()).isEqualTo(3);
        assertThat(flow.metrics().enabled()).isTrue();
        assertThat(flow.metrics().flow()).isEqualTo("metrics-test");
    }

    @Test
    void delivered_countsEachListener_whenSeveralListen() {
        startSync();
        manager.processor.on(WORD, w -> { });
        manager.processor.once(WORD, w -> { });

        manager.source.emit(WORD, "a");
        manager.source.emit(WORD, "b");

        assertThat(processor("m.processor").emitted()).isEqualTo(2);
        assertThat(processor("m.processor").delivered()).isEqualTo(2 + 2 + 1);
    }

    @Test
    void listenerFailures_andDeadEvents_areCounted() {
        startSync();
        manager.source.on(Processor.ERROR, e -> { }); // caught: the manager keeps running

        manager.source.emit(WORD, "explode");
        manager.source.emit(WORD, "explode");
        manager.processor.emit(UNHEARD, "nobody");

        ProcessorMetrics source = processor("m.source");
        assertThat(source.listenerFailures()).isEqualTo(2);
        assertThat(source.event("error")).get().extracting(EventMetrics::emitted).isEqualTo(2L);
        ProcessorMetrics processor = processor("m.processor");
        assertThat(processor.deadEvents()).isEqualTo(1);
        assertThat(processor.event("unheard")).get().satisfies(e -> {
            assertThat(e.emitted()).isEqualTo(1);
            assertThat(e.deadEvents()).isEqualTo(1);
            assertThat(e.delivered()).isZero();
        });
        assertThat(flow.metrics().dispatcher().deadEvents()).isEqualTo(1);
    }

    @Test
    void deadEvents_viaEmitAsync_areCounted() throws Exception {
        startSync();
        assertThat(manager.processor.emitAsync(UNHEARD, "x").get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(manager.source.emitAsync(WORD, "y").get(10, TimeUnit.SECONDS)).isTrue();

        assertThat(processor("m.processor").event("unheard")).get().extracting(EventMetrics::deadEvents)
                .isEqualTo(1L);
        assertThat(processor("m.source").emitted()).isEqualTo(1);
        assertThat(processor("m.source").delivered()).isEqualTo(1);
    }

    /** A processor on the flow's handler whose one listener spins for a millisecond. */
    private TestProcessor slowProcessor(Event<String> slow) {
        TestProcessor timed = new TestProcessor("m.timed", flow.handler());
        timed.on(slow, w -> {
            long until = System.nanoTime() + 1_000_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        return timed;
    }

    private ListenerTime timedListenerTime() {
        return Metering.processor(Dispatcher.of(flow.handler()).topics("m.timed")).listenerTime();
    }

    @Test
    void listenerTime_withDirectCallsTimed_samplesTheFirstDeliveryAndEvery1024th() {
        flow = builder(new SyncDispatcher()).timeDirectCalls(true)
                .manager(handler -> manager = new FlowTest.TestManager("m", handler, true)).build();
        flow.start();
        Event<String> slow = Event.of("slow", String.class);
        TestProcessor timed = slowProcessor(slow);

        timed.emit(slow, "first");
        ListenerTime once = timedListenerTime();
        assertThat(once.samples()).isEqualTo(1);
        assertThat(once.maxNanos()).isGreaterThanOrEqualTo(1_000_000);
        assertThat(once.totalNanos()).isEqualTo(once.maxNanos());
        assertThat(once.mean()).isGreaterThanOrEqualTo(Duration.ofMillis(1));

        for (int i = 1; i < TopicStats.SAMPLE_EVERY + 1; i++) {
            timed.emit(slow, "next");
        }
        ListenerTime twice = timedListenerTime();
        assertThat(twice.samples()).isEqualTo(2);
        assertThat(twice.totalNanos()).isGreaterThanOrEqualTo(2_000_000);
    }

    @Test
    void listenerTime_ofASyncDirectCallByDefault_isSampledOnlyOnTheFirstDelivery() {
        startSync();
        Event<String> slow = Event.of("slow", String.class);
        TestProcessor timed = slowProcessor(slow);

        for (int i = 0; i < TopicStats.SAMPLE_EVERY + 1; i++) {
            timed.emit(slow, "next");
        }

        ListenerTime time = timedListenerTime();
        assertThat(time.samples()).isEqualTo(1);
        assertThat(time.maxNanos()).isGreaterThanOrEqualTo(1_000_000);
        assertThat(Metering.processor(Dispatcher.of(flow.handler()).topics("m.timed")).delivered())
                .isEqualTo(TopicStats.SAMPLE_EVERY + 1);
    }

    @Test
    void listenerTime_ofAnEventWithTwoListenersByDefault_isSampledEvery1024th() {
        startSync();
        Event<String> slow = Event.of("slow", String.class);
        TestProcessor timed = slowProcessor(slow);
        timed.on(slow, w -> { });

        for (int i = 0; i < TopicStats.SAMPLE_EVERY + 1; i++) {
            timed.emit(slow, "next");
        }

        // two listeners, each delivery counted on its own: samples at the 1st and the 1025th of 2050 deliveries
        assertThat(timedListenerTime().samples()).isEqualTo(3);
    }

    /**
     * Two listeners, so not the direct rung (whose plain count may lose increments of threads emitting to one topic
     * at the same instant, see TopicStats): one thread counts in its own field, the other on the adder.
     */
    @Test
    void twoEmittingThreadsAtOnce_loseNoCount() throws Exception {
        startSync();
        manager.source.on(WORD, w -> { });
        manager.processor.on(WORD, w -> { });
        int perThread = 20_000;
        CyclicBarrier go = new CyclicBarrier(2);
        Runnable emitter = () -> {
            try {
                go.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            for (int i = 0; i < perThread; i++) {
                manager.source.emit(WORD, "w");
            }
        };
        Thread a = new Thread(emitter, "emitter-a");
        Thread b = new Thread(emitter, "emitter-b");
        a.start();
        b.start();
        a.join(10_000);
        b.join(10_000);

        assertThat(processor("m.source").emitted()).isEqualTo(2L * perThread);
        assertThat(processor("m.source").delivered()).isEqualTo(4L * perThread);
        assertThat(processor("m.processor").emitted()).isEqualTo(2L * perThread);
        assertThat(processor("m.processor").delivered()).isEqualTo(4L * perThread);
        assertThat(manager.heard).hasValue(2 * perThread);
    }

    /** The direct rung counts with a plain increment (TopicStats): racing threads may lose counts, never add any. */
    @Test
    void directRung_twoThreadsAtOnce_mayUndercountButNeverOvercount() throws Exception {
        startSync();
        int perThread = 20_000;
        CyclicBarrier go = new CyclicBarrier(2);
        Runnable emitter = () -> {
            try {
                go.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            for (int i = 0; i < perThread; i++) {
                manager.processor.emit(WORD, "w");
            }
        };
        Thread a = new Thread(emitter, "emitter-a");
        Thread b = new Thread(emitter, "emitter-b");
        a.start();
        b.start();
        a.join(10_000);
        b.join(10_000);

        assertThat(manager.heard).hasValue(2 * perThread);
        assertThat(processor("m.processor").emitted()).isPositive().isLessThanOrEqualTo(2L * perThread);
        assertThat(processor("m.processor").delivered()).isEqualTo(processor("m.processor").emitted());
    }

    @Test
    void metricsOff_countsNothing_butStillReportsStates() {
        flow = builder(new SyncDispatcher()).metrics(false)
                .manager(handler -> manager = new FlowTest.TestManager("m", handler, true)).build();
        flow.start();
        manager.source.emit(WORD, "a");

        FlowMetrics metrics = flow.metrics();
        assertThat(metrics.enabled()).isFalse();
        assertThat(manager.heard).hasValue(1);
        assertThat(processor("m.source").emitted()).isZero();
        assertThat(processor("m.source").delivered()).isZero();
        assertThat(m().state()).isEqualTo(ManagerState.RUNNING);
    }

    // ---- per manager -----------------------------------------------------------------------------------------------

    @Test
    void manager_stateRestartsLastStartLastErrorAndLastMessage() {
        startSync();
        assertThat(m().lastStart()).contains(clock.instant());
        assertThat(m().lastMessage()).isEmpty();

        clock.advance(Duration.ofSeconds(5));
        manager.source.emit(WORD, "hello");
        Instant emittedAt = clock.instant();
        assertThat(m().lastMessage()).contains(emittedAt);

        clock.advance(Duration.ofSeconds(5));
        Instant failedAt = clock.instant();
        manager.source.failWith(new IllegalStateException("boom"));
        scheduler.runReady();
        ManagerMetrics failed = m();
        assertThat(failed.state()).isEqualTo(ManagerState.RESTARTING);
        assertThat(failed.lastError()).get().extracting(Throwable::getMessage).isEqualTo("boom");
        assertThat(failed.lastErrorTime()).contains(failedAt);
        assertThat(failed.processors()).extracting(ProcessorMetrics::name).containsExactly("m.processor", "m.source");

        scheduler.advance(Duration.ofSeconds(1));
        ManagerMetrics restarted = m();
        assertThat(restarted.state()).isEqualTo(ManagerState.RUNNING);
        assertThat(restarted.restarts()).isEqualTo(1);
        assertThat(restarted.lastStart()).contains(failedAt.plusSeconds(1));
        assertThat(restarted.lastMessage()).contains(emittedAt);
        manager.source.emit(WORD, "again");
        assertThat(m().processor("m.source").orElseThrow().emitted()).isEqualTo(2); // totals over restarts
    }

    // ---- per source ------------------------------------------------------------------------------------------------

    static final class Ticking extends Manager {
        Ticking(MessageHandler handler, ManualClock clock, ManualScheduler scheduler) {
            super("cron", handler);
            CronSource source = new CronSource(processorName("source"), handler, Duration.ofSeconds(10), clock,
                    scheduler);
            source.on(CronSource.TICK, t -> { });
            setSource(source);
        }
    }

    @Test
    void timeSources_countTheirTicks_overRestarts() {
        flow = builder(new SyncDispatcher()).manager(handler -> new Ticking(handler, clock, scheduler)).build();
        flow.start();

        scheduler.advance(Duration.ofSeconds(30));

        SourceMetrics source = flow.metrics().manager("cron").orElseThrow().source("cron.source").orElseThrow();
        assertThat(source.counter("ticks")).isEqualTo(3);
        assertThat(source.counters()).containsOnlyKeys("ticks");
        assertThat(source.expectedInterval()).contains(Duration.ofSeconds(10));
        assertThat(source.lastEmit()).contains(Instant.parse("2026-01-05T10:00:30Z"));
        assertThat(source.stalled()).isFalse();
    }

    @Test
    void sourceCounter_rejectsNegativeAmounts_andNamesItself() {
        SourceCounter counter = new SourceCounter("bytes");
        counter.add(5);
        counter.increment();
        assertThat(counter.value()).isEqualTo(6);
        assertThat(counter.toString()).isEqualTo("bytes=6");
        assertThatThrownBy(() -> counter.add(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1").hasMessageContaining("bytes");
    }

    // ---- the handler ---------------------------------------------------------------------------------------------

    static final class Blocking extends Manager {
        final FlowTest.TestSource source;

        Blocking(MessageHandler handler, CountDownLatch entered, CountDownLatch release) {
            super("q", handler);
            source = new FlowTest.TestSource(processorName("source"), handler);
            source.on(WORD, w -> {
                if (w.equals("hold")) {
                    entered.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            setSource(source);
        }
    }

    @Test
    void asyncQueue_depthHighWaterMarkAndDropped() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Blocking[] built = new Blocking[1];
        AsyncDispatcher handler = AsyncDispatcher.builder().capacity(4).overflow(Overflow.DROP_NEWEST).build();
        flow = builder(handler).manager(h -> built[0] = new Blocking(h, entered, release)).build();
        flow.start();

        built[0].source.emit(WORD, "hold");
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 6; i++) {
            built[0].source.emit(WORD, "w" + i);
        }
        DispatcherMetrics busy = flow.metrics().dispatcher();
        assertThat(busy.type()).isEqualTo("AsyncDispatcher");
        assertThat(busy.queueDepth()).isEqualTo(4);
        assertThat(busy.capacity()).isEqualTo(4);
        assertThat(busy.dropped()).isEqualTo(2);
        assertThat(busy.highWaterMark()).isEqualTo(4);

        release.countDown();
        flow.close();
        FlowMetrics after = flow.metrics();
        assertThat(after.dispatcher().queueDepth()).isZero();
        assertThat(after.manager("q").orElseThrow().processor("q.source").orElseThrow().delivered()).isEqualTo(5);
        assertThat(after.manager("q").orElseThrow().processor("q.source").orElseThrow().emitted()).isEqualTo(7);
    }

    @Test
    void asyncChain_countsWhatTheProducerEmitsAndWhatTheLoopDeliversAndEmitsInline() {
        flow = builder(new AsyncDispatcher()).manager(h -> manager = new FlowTest.TestManager("m", h, true)).build();
        flow.start();
        int n = TopicStats.SAMPLE_EVERY * 2 + 3;
        for (int i = 0; i < n; i++) {
            manager.source.emit(WORD, "w" + i); // this thread; the loop delivers, and the processor re-emits there
        }
        flow.close(); // delivers everything accepted

        FlowMetrics after = flow.metrics();
        EventMetrics sourceWord = after.manager("m").orElseThrow().processor("m.source").orElseThrow().event("word")
                .orElseThrow();
        EventMetrics processorWord = after.manager("m").orElseThrow().processor("m.processor").orElseThrow()
                .event("word").orElseThrow();
        assertThat(manager.heard).hasValue(n);
        assertThat(sourceWord.emitted()).isEqualTo(n);
        assertThat(sourceWord.delivered()).isEqualTo(n);
        assertThat(processorWord.emitted()).isEqualTo(n);
        assertThat(processorWord.delivered()).isEqualTo(n);
        // the first delivery and every 1024th after it: deliveries 1, 1025 and 2049
        assertThat(sourceWord.listenerTime().samples()).isEqualTo(3);
        assertThat(processorWord.listenerTime().samples()).isEqualTo(3);
    }

    @Test
    void asyncQueue_highWaterMark_belowCapacity_isTheDeepestBacklogSeen() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Blocking[] built = new Blocking[1];
        flow = builder(new AsyncDispatcher()).manager(h -> built[0] = new Blocking(h, entered, release)).build();
        flow.start();

        built[0].source.emit(WORD, "hold");
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 10; i++) {
            built[0].source.emit(WORD, "w" + i);
        }
        assertThat(flow.metrics().dispatcher().queueDepth()).isEqualTo(10);
        release.countDown();
        flow.close();

        assertThat(flow.metrics().dispatcher().highWaterMark()).isBetween(10L, 11L);
        assertThat(flow.metrics().dispatcher().dropped()).isZero();
        assertThat(flow.metrics().dispatcher().blockedEmits()).isZero();
    }

    /** A flow whose loop holds one message in a listener while one more fills its queue of capacity 1. */
    final class FullQueue {
        final CountDownLatch release = new CountDownLatch(1);
        final Blocking manager;

        FullQueue(Overflow overflow) throws InterruptedException {
            CountDownLatch entered = new CountDownLatch(1);
            Blocking[] built = new Blocking[1];
            AsyncDispatcher handler = AsyncDispatcher.builder().capacity(1).overflow(overflow).build();
            flow = builder(handler).manager(h -> built[0] = new Blocking(h, entered, release)).build();
            flow.start();
            manager = built[0];
            manager.source.emit(WORD, "hold");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            manager.source.emit(WORD, "fills the queue");
        }

        /** Starts a thread emitting one more message and returns once it waits for room. */
        Thread blockedEmitter(java.util.concurrent.CompletableFuture<Throwable> outcome) {
            return Waiting.start("blocked-emitter", () -> manager.source.emit(WORD, "waits"), outcome);
        }
    }

    @Test
    void asyncQueue_producerTimeBlocked_underBlock() throws Exception {
        FullQueue full = new FullQueue(Overflow.BLOCK);
        java.util.concurrent.CompletableFuture<Throwable> outcome = new java.util.concurrent.CompletableFuture<>();
        full.blockedEmitter(outcome);
        full.release.countDown();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isNull();

        DispatcherMetrics metrics = flow.metrics().dispatcher();
        assertThat(metrics.blockedEmits()).isEqualTo(1);
        assertThat(metrics.blockedNanos()).isGreaterThanOrEqualTo(Admission.FULL_SPIN_NANOS);
        assertThat(metrics.highWaterMark()).isEqualTo(1);
        assertThat(metrics.rejected()).isZero();
    }

    @Test
    void asyncQueue_rejected_countsFailRefusals() throws Exception {
        FullQueue full = new FullQueue(Overflow.FAIL);
        for (int i = 0; i < 3; i++) {
            int n = i;
            assertThatThrownBy(() -> full.manager.source.emit(WORD, "refused " + n))
                    .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        }
        DispatcherMetrics metrics = flow.metrics().dispatcher();
        full.release.countDown();

        assertThat(metrics.rejected()).isEqualTo(3);
        assertThat(metrics.dropped()).isZero();
        assertThat(flow.metrics().manager("q").orElseThrow().processor("q.source").orElseThrow().event("word"))
                .get().extracting(EventMetrics::emitted).isEqualTo(5L);
    }

    @Test
    void asyncQueue_rejected_countsAnEmitInterruptedWhileBlocked() throws Exception {
        FullQueue full = new FullQueue(Overflow.BLOCK);
        java.util.concurrent.CompletableFuture<Throwable> outcome = new java.util.concurrent.CompletableFuture<>();
        full.blockedEmitter(outcome).interrupt();

        assertThat(outcome.get(10, TimeUnit.SECONDS))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        full.release.countDown();
        assertThat(flow.metrics().dispatcher().rejected()).isEqualTo(1);
    }

    @Test
    void syncDispatcher_hasNoQueueFigures() {
        startSync();
        DispatcherMetrics metrics = flow.metrics().dispatcher();
        assertThat(metrics.type()).isEqualTo("SyncDispatcher");
        assertThat(metrics.queueDepth()).isZero();
        assertThat(metrics.capacity()).isZero();
        assertThat(metrics.rejected()).isZero();
    }

    @Test
    void listenerTime_rejectsNegativeComponents() {
        assertThatThrownBy(() -> new ListenerTime(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("samples=-1");
        assertThat(new ListenerTime(2, 10, 7).plus(new ListenerTime(1, 5, 9))).isEqualTo(new ListenerTime(3, 15, 9));
        assertThat(ListenerTime.NONE.mean()).isEqualTo(Duration.ZERO);
    }
}
