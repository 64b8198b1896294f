package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Flow;
import io.pipeline.core.HealthStatus;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerFactory;
import io.pipeline.core.ManagerState;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Overflow;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.Source;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A manager that ended while the flow runs — its source failed or finished, the flow gave up on it — is retired in
 * the close's order: its sources stop, their emits in progress end, the handler delivers what it accepted for the
 * manager's listeners, and only then are its {@code closeOnStop} resources closed, its listeners removed and its
 * successor built (which uses the same processor names). Real threads; waits bounded by latches and futures.
 */
class RestartRetirementTest {
    static final int N = 50;
    static final RestartPolicy QUICK = RestartPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(1))
            .withRandomFactor(0);

    final RecordingErrorReporter reporter = new RecordingErrorReporter();
    final BlockingQueue<Manager> built = new LinkedBlockingQueue<>();
    final AtomicInteger generations = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    final CompletableFuture<LogRecord> firstWarning = new CompletableFuture<>();
    final Logger flowLogger = Logger.getLogger(Flow.class.getName());
    final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel() == Level.WARNING) {
                warnings.add(record);
                firstWarning.complete(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    final List<Flow> flows = new ArrayList<>();

    @BeforeEach
    void listen() {
        flowLogger.addHandler(recorder);
    }

    @AfterEach
    void closeFlows() {
        release.countDown();
        flows.forEach(Flow::close);
        flowLogger.removeHandler(recorder);
    }

    // ---- the pieces ---------------------------------------------------------------------------------------------

    /** A closeOnStop resource that records every write, and refuses (and records) one after close. */
    static final class RecordingResource implements AutoCloseable {
        final List<String> writes = new CopyOnWriteArrayList<>();
        final List<String> afterClose = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        final CompletableFuture<String> firstWrite = new CompletableFuture<>();
        final AtomicInteger closes = new AtomicInteger();

        void write(String value) {
            if (closed.isDone()) {
                afterClose.add(value);
                throw new IllegalStateException("write after close: " + value);
            }
            writes.add(value);
            firstWrite.complete(value);
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            closed.complete(null);
        }
    }

    /** A source the test drives, which tells when it was stopped. */
    static final class SignallingSource extends ManualSource {
        final CompletableFuture<Void> stopped = new CompletableFuture<>();

        SignallingSource(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public void stop() {
            super.stop();
            stopped.complete(null);
        }
    }

    /**
     * The manager under test: its source's listener writes every message to its resource. The first generation's
     * listener stalls on {@code stall} first (the consumer is held up while its source keeps emitting).
     */
    static final class Writing extends Manager {
        final int generation;
        final SignallingSource source;
        final RecordingResource resource;
        final List<String> heard = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);

        Writing(MessageHandler handler, int generation, CountDownLatch stall) {
            super("writing", handler);
            this.generation = generation;
            this.source = new SignallingSource(processorName("source"), handler);
            this.resource = closeOnStop(new RecordingResource());
            source.on(ManualSource.DATA, data -> {
                entered.countDown();
                if (generation == 1) {
                    stall.await(10, TimeUnit.SECONDS);
                }
                heard.add(data);
                resource.write(data);
            });
            setSource(source);
        }
    }

    /** Emits {@code count} messages in one piece of bracketed work on a thread of its own, when started. */
    static final class BurstSource extends Source {
        final int count;
        volatile Thread thread;

        BurstSource(String name, MessageHandler handler, int count) {
            super(name, handler);
            this.count = count;
        }

        @Override
        public CompletableFuture<Void> start() {
            thread = new Thread(this::burst, "retire-burst");
            thread.setDaemon(true);
            thread.start();
            return completion();
        }

        private void burst() {
            if (!beginEmitting()) {
                return;
            }
            try {
                for (int i = 0; i < count; i++) {
                    emit(ManualSource.DATA, "r" + i);
                }
            } finally {
                endEmitting();
            }
        }
    }

    /**
     * A manager with two sources: {@code own} emits a burst on its own thread, whose first generation's listener
     * stalls on {@code stall}; {@code trigger} is what the test fails.
     */
    static final class Bursting extends Manager {
        final BurstSource own;
        final SignallingSource trigger;
        final RecordingResource resource;

        Bursting(MessageHandler handler, int generation, int count, CountDownLatch entered, CountDownLatch stall) {
            super("bursting", handler);
            this.own = new BurstSource(processorName("own"), handler, count);
            this.trigger = new SignallingSource(processorName("trigger"), handler);
            this.resource = closeOnStop(new RecordingResource());
            own.on(ManualSource.DATA, data -> {
                if (generation == 1 && entered.getCount() > 0) {
                    entered.countDown();
                    stall.await(10, TimeUnit.SECONDS);
                }
                resource.write(data);
            });
            setSource(own);
            addSource(trigger);
        }
    }

    ManagerFactory writing() {
        return handler -> record(new Writing(handler, generations.incrementAndGet(), release));
    }

    <M extends Manager> M record(M manager) {
        built.add(manager);
        return manager;
    }

    @SuppressWarnings("unchecked")
    <M extends Manager> M next() throws InterruptedException {
        Manager manager = built.poll(10, TimeUnit.SECONDS);
        assertThat(manager).as("a manager built within 10 s").isNotNull();
        return (M) manager;
    }

    Flow track(Flow flow) {
        flows.add(flow);
        return flow;
    }

    static List<String> messages(String prefix, int count) {
        List<String> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(prefix + i);
        }
        return list;
    }

    /** Emits N messages while the listener stalls, ends the manager with {@code end}, and returns it. */
    Writing emitWhileStalled(Flow flow, java.util.function.Consumer<Writing> end) throws Exception {
        flow.start();
        Writing old = next();
        for (String message : messages("m", N)) {
            old.source.send(message);
        }
        assertThat(old.entered.await(10, TimeUnit.SECONDS)).isTrue();
        end.accept(old);
        old.source.stopped.get(10, TimeUnit.SECONDS); // the supervisor has begun the retirement
        return old;
    }

    /** After the release: everything reached the old listener before its resource closed; then the successor runs. */
    void assertRetiredInOrder(Flow flow, Writing old) throws Exception {
        Writing successor = next();
        assertThat(successor.generation).isEqualTo(2);
        assertThat(old.resource.closed).as("closed before the successor was built").isDone();
        assertThat(old.resource.writes).containsExactlyElementsOf(messages("m", N));
        assertThat(old.resource.afterClose).isEmpty();
        assertThat(old.resource.closes).hasValue(1);
        assertThat(flow.handler().deadEvents()).isZero();
        assertThat(old.source.listenerCount(ManualSource.DATA)).as("only the successor's listener").isEqualTo(1);

        successor.source.send("new");
        assertThat(successor.resource.firstWrite.get(10, TimeUnit.SECONDS)).isEqualTo("new");
        assertThat(old.heard).containsExactlyElementsOf(messages("m", N));
        assertThat(flow.handler().deadEvents()).isZero();
    }

    // ---- restart ------------------------------------------------------------------------------------------------

    @Test
    void restart_afterASourceFailed_deliversEverythingQueuedToTheOldListeners_beforeClosingTheirResources()
            throws Exception {
        Flow flow = track(Flow.builder().handler(AsyncDispatcher.builder().threadName("retire-loop").build())
                .errorReporter(reporter).restartPolicy(QUICK).manager(writing()).build());
        Writing old = emitWhileStalled(flow, w -> w.source.failWith(new IllegalStateException("source broke")));

        assertThat(reporter.await(1)).as("reported while the retirement waits").isTrue();
        assertThat(reporter.errors.get(0).willRestart()).isTrue();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(old.resource.closed).as("messages still queued for it").isNotDone();
        assertThat(built).as("the successor waits for the retirement").isEmpty();
        release.countDown();

        assertRetiredInOrder(flow, old);
        assertThat(flow.status().get(0).restarts()).isEqualTo(1);
    }

    @Test
    void restart_afterTheSourceFinishedNormally_deliversEverythingQueuedToTheOldListeners_beforeClosingTheirResources()
            throws Exception {
        Flow flow = track(Flow.builder().handler(AsyncDispatcher.builder().threadName("retire-loop").build())
                .errorReporter(reporter).restartPolicy(QUICK).manager(writing()).build());
        Writing old = emitWhileStalled(flow, w -> w.source.finish());

        assertThat(old.resource.closed).as("messages still queued for it").isNotDone();
        assertThat(built).as("the successor waits for the retirement").isEmpty();
        release.countDown();

        assertRetiredInOrder(flow, old);
        assertThat(reporter.errors).isEmpty();
    }

    @Test
    void giveUp_afterMaxRestarts_deliversEverythingQueuedToTheOldListeners_beforeClosingTheirResources()
            throws Exception {
        Flow flow = track(Flow.builder().handler(AsyncDispatcher.builder().threadName("retire-loop").build())
                .errorReporter(reporter).restartPolicy(QUICK.withMaxRestarts(0, Duration.ofMinutes(1)))
                .manager(writing()).build());
        Writing old = emitWhileStalled(flow, w -> w.source.failWith(new IllegalStateException("source broke")));

        assertThat(reporter.await(1)).isTrue();
        assertThat(reporter.errors.get(0).willRestart()).isFalse();
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.FAILED);
        assertThat(old.resource.closed).as("messages still queued for it").isNotDone();
        assertThat(flow.isTerminated()).as("terminated once the retirement finished").isFalse();
        release.countDown();

        assertThat(flow.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(old.resource.closed).isDone();
        assertThat(old.resource.writes).containsExactlyElementsOf(messages("m", N));
        assertThat(old.resource.afterClose).isEmpty();
        assertThat(old.resource.closes).hasValue(1);
        assertThat(flow.handler().deadEvents()).isZero();
        assertThat(old.source.listenerCount(ManualSource.DATA)).isZero();
        assertThat(built).isEmpty();
    }

    // ---- a source still emitting on its own thread ----------------------------------------------------------------

    @Test
    void restart_whileASourceIsInsideAnEmitOnItsOwnThread_closesTheResourcesOnlyAfterThatEmitReturned_sync()
            throws Exception {
        assertBurstRetiredInOrder(new SyncDispatcher(), 1);
    }

    @Test
    void restart_whileASourceIsBlockedEmittingIntoAFullQueue_closesTheResourcesOnlyAfterItsBurstWasDelivered_async()
            throws Exception {
        // capacity 1, BLOCK: one message in the stalled listener, one queued, the source's thread waits for room
        assertBurstRetiredInOrder(AsyncDispatcher.builder().capacity(1).overflow(Overflow.BLOCK)
                .threadName("retire-loop").build(), 5);
    }

    private void assertBurstRetiredInOrder(MessageHandler handler, int count) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        Flow flow = track(Flow.builder().handler(handler).errorReporter(reporter).restartPolicy(QUICK)
                .manager(h -> record(new Bursting(h, generations.incrementAndGet(), count, entered, release)))
                .build());
        flow.start();
        Bursting old = next();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        if (count > 2) {
            Threads.awaitBlockedOrDone(old.own.thread); // waiting for room in the queue
        }
        old.trigger.failWith(new IllegalStateException("trigger"));
        old.trigger.stopped.get(10, TimeUnit.SECONDS);
        assertThat(reporter.await(1)).as("reported while the retirement waits").isTrue();
        assertThat(old.resource.closed).as("an emit is still in progress").isNotDone();
        assertThat(built).isEmpty();
        release.countDown();

        Bursting successor = next();
        assertThat(old.resource.closed).isDone();
        assertThat(old.resource.writes).containsExactlyElementsOf(messages("r", count));
        assertThat(old.resource.afterClose).isEmpty();
        assertThat(old.resource.closes).hasValue(1);
        assertThat(successor.resource.firstWrite.get(10, TimeUnit.SECONDS)).isEqualTo("r0");
        assertThat(handler.deadEvents()).isZero();
        Threads.awaitEnd(old.own.thread);
        assertThat(warnings).isEmpty();
    }

    @Test
    void restart_whileASourcesEmitNeverReturns_givesUpWaitingAfterSourceStopTimeout_withAWarningNamingTheSource()
            throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Flow flow = track(Flow.builder().handler(new SyncDispatcher()).errorReporter(reporter).restartPolicy(QUICK)
                .sourceStopTimeout(Duration.ofMillis(200))
                .manager(h -> record(new Bursting(h, generations.incrementAndGet(), 1, entered, never)))
                .build());
        try {
            flow.start();
            Bursting old = next();
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            old.trigger.failWith(new IllegalStateException("trigger"));

            Bursting successor = next(); // built once the wait ran out
            assertThat(firstWarning.get(10, TimeUnit.SECONDS).getMessage())
                    .contains("bursting.own").contains("'bursting'").contains("PT0.2S");
            assertThat(old.resource.closes).hasValue(1);
            assertThat(successor.resource.firstWrite.get(10, TimeUnit.SECONDS)).isEqualTo("r0");
        } finally {
            never.countDown();
        }
    }

    // ---- a stalled listener -------------------------------------------------------------------------------------

    @Test
    void stalledListener_doesNotHoldUpTheSupervisor_andItsRetirementGivesUpAfterSourceStopTimeout_virtualTime()
            throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        AtomicInteger otherAttempts = new AtomicInteger();
        Flow flow = track(Flow.builder().handler(AsyncDispatcher.builder().threadName("retire-loop").build())
                .clock(clock).scheduler(scheduler).errorReporter(reporter).restartPolicy(QUICK)
                .sourceStopTimeout(Duration.ofSeconds(1))
                .manager(writing())
                .manager(handler -> {
                    otherAttempts.incrementAndGet();
                    throw new IllegalStateException("the other manager cannot be built");
                }).build());
        flow.start();
        scheduler.runReady();
        Writing stalled = next();
        stalled.source.send("m0");
        assertThat(stalled.entered.await(10, TimeUnit.SECONDS)).isTrue(); // the loop is held up from now on
        stalled.source.send("m1");
        stalled.source.failWith(new IllegalStateException("source broke"));

        scheduler.runReady(); // returns: the retirement waits for the barrier without blocking the supervisor
        assertThat(stalled.source.stopped).isDone();
        for (int i = 0; i < 5; i++) {
            scheduler.advance(Duration.ofMillis(1)); // the other manager is restarted meanwhile
        }
        assertThat(otherAttempts).hasValueGreaterThanOrEqualTo(6);
        assertThat(stalled.resource.closed).as("still waiting for its messages").isNotDone();
        assertThat(built).as("its successor waits").isEmpty();
        assertThat(warnings).isEmpty();

        scheduler.advance(Duration.ofSeconds(1));
        assertThat(warnings).singleElement().extracting(LogRecord::getMessage).asString()
                .contains("'writing'").contains("not all delivered");
        assertThat(stalled.resource.closes).hasValue(1);
        assertThat(built.poll()).as("the successor, built once the retirement gave up").isNotNull();
    }

    @Test
    void stalledListener_doesNotHoldUpTheSupervisor_andItsRetirementGivesUpAfterSourceStopTimeout_realTime()
            throws Exception {
        AtomicInteger otherAttempts = new AtomicInteger();
        CountDownLatch otherRestarted = new CountDownLatch(3);
        Flow flow = track(Flow.builder().handler(AsyncDispatcher.builder().threadName("retire-loop").build())
                .errorReporter(reporter).restartPolicy(QUICK).sourceStopTimeout(Duration.ofMillis(300))
                .manager(writing())
                .manager(handler -> {
                    otherAttempts.incrementAndGet();
                    otherRestarted.countDown();
                    throw new IllegalStateException("the other manager cannot be built");
                }).build());
        flow.start();
        Writing stalled = next();
        stalled.source.send("m0");
        assertThat(stalled.entered.await(10, TimeUnit.SECONDS)).isTrue();
        stalled.source.send("m1");
        stalled.source.failWith(new IllegalStateException("source broke"));

        assertThat(otherRestarted.await(10, TimeUnit.SECONDS)).as("the other manager is still supervised").isTrue();
        assertThat(firstWarning.get(10, TimeUnit.SECONDS).getMessage()).contains("'writing'")
                .contains("not all delivered");
        Writing successor = next();
        assertThat(successor.generation).isEqualTo(2);
        assertThat(stalled.resource.closes).hasValue(1);
        assertThat(otherAttempts).hasValueGreaterThanOrEqualTo(3);
    }

    @Test
    void stalledListener_withSourceStopTimeoutForever_retirementWaitsWithoutLimit_andFinishesWhenReleased()
            throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        Flow flow = track(Flow.builder().handler(AsyncDispatcher.builder().threadName("retire-loop").build())
                .clock(clock).scheduler(scheduler).errorReporter(reporter).restartPolicy(QUICK)
                .sourceStopTimeout(java.time.temporal.ChronoUnit.FOREVER.getDuration()).manager(writing()).build());
        flow.start();
        Writing stalled = next();
        stalled.source.send("m0");
        assertThat(stalled.entered.await(10, TimeUnit.SECONDS)).isTrue();
        stalled.source.send("m1");
        stalled.source.failWith(new IllegalStateException("source broke"));
        scheduler.runReady();

        scheduler.advance(Duration.ofDays(3650));
        assertThat(scheduler.pending()).as("no timeout armed, the restart came due and waits").isZero();
        assertThat(stalled.resource.closed).isNotDone();
        assertThat(built).isEmpty();
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (scheduler.pending() == 0) { // the barrier, passed on the loop thread, hands the next step over
            assertThat(System.nanoTime()).as("the barrier passed within 10 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
        scheduler.runReady();

        assertThat(stalled.resource.writes).containsExactly("m0", "m1");
        assertThat(stalled.resource.closes).hasValue(1);
        assertThat(built.poll()).as("the successor, built once the retirement finished").isNotNull();
        assertThat(warnings).isEmpty();
    }

    // ---- close during a retirement --------------------------------------------------------------------------------

    @Test
    void close_whileARetirementWaitsForDelivery_deliversToTheOldListeners_thenClosesTheirResourcesOnce()
            throws Exception {
        Flow flow = track(Flow.builder().handler(AsyncDispatcher.builder().threadName("retire-loop").build())
                .errorReporter(reporter).restartPolicy(QUICK).manager(writing()).build());
        Writing old = emitWhileStalled(flow, w -> w.source.failWith(new IllegalStateException("source broke")));
        assertThat(reporter.await(1)).isTrue();

        Thread closer = new Thread(flow::close, "retire-closer");
        closer.start();
        Threads.awaitBlockedOrDone(closer);
        assertThat(old.resource.closed).as("the close waits for the delivery too").isNotDone();
        release.countDown();
        Threads.awaitEnd(closer);

        assertThat(old.resource.writes).containsExactlyElementsOf(messages("m", N));
        assertThat(old.resource.afterClose).isEmpty();
        assertThat(old.resource.closes).hasValue(1);
        assertThat(built).as("no successor built while closing").isEmpty();
        assertThat(flow.handler().deadEvents()).isZero();
        assertThat(Threads.alive("retire-loop")).isEmpty();
    }
}
