package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Flow.close(): the order of its steps, and closing from the threads the close itself waits on. */
class FlowCloseTest {
    static final Event<Integer> ROW = Event.of("row", Integer.class);
    static final int ROWS = 2_000;

    final List<Flow> flows = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeFlows() {
        flows.forEach(Flow::close);
    }

    Flow track(Flow flow) {
        flows.add(flow);
        return flow;
    }

    /** A source that runs until stopped, and says when it was. */
    static final class StoppableSource extends Source {
        final CountDownLatch stopped = new CountDownLatch(1);
        final AtomicInteger starts = new AtomicInteger();

        StoppableSource(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            starts.incrementAndGet();
            return completion();
        }

        @Override
        public void stop() {
            stopped.countDown();
            super.stop();
        }

        void failWith(Throwable failure) {
            fail(failure);
        }
    }

    /** A writer like CsvOutput: slow on its first row until released, and counting rows written after close. */
    static final class SlowWriter implements AutoCloseable {
        final List<Integer> rows = new CopyOnWriteArrayList<>();
        final AtomicInteger afterClose = new AtomicInteger();
        final CountDownLatch firstRowRelease;
        volatile boolean closed;

        SlowWriter(CountDownLatch firstRowRelease) {
            this.firstRowRelease = firstRowRelease;
        }

        void write(Integer row) throws InterruptedException {
            if (rows.isEmpty()) {
                assertThat(firstRowRelease.await(10, TimeUnit.SECONDS)).isTrue();
            }
            if (closed) {
                afterClose.incrementAndGet();
                return;
            }
            rows.add(row);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** The README's quick start, cut down: source --ROW--> writer (closeOnStop). */
    static class QuickStartManager extends Manager {
        final StoppableSource source;
        final SlowWriter writer;

        QuickStartManager(String name, MessageHandler handler, CountDownLatch firstRowRelease) {
            super(name, handler);
            source = new StoppableSource(processorName("source"), handler);
            writer = closeOnStop(new SlowWriter(firstRowRelease));
            source.on(ROW, writer::write);
            setSource(source);
        }
    }

    @Test
    void close_withAsyncDispatcherAndSlowCloseOnStopWriter_writesEveryAcceptedRowBeforeClosingIt() {
        List<QuickStartManager> built = new CopyOnWriteArrayList<>();
        CountDownLatch[] release = new CountDownLatch[1];
        Flow flow = track(Flow.builder().handler(new AsyncDispatcher())
                .manager(handler -> {
                    QuickStartManager manager = new QuickStartManager("quotes", handler, new CountDownLatch(1));
                    release[0] = manager.writer.firstRowRelease;
                    built.add(manager);
                    return manager;
                }).build());
        flow.start();
        QuickStartManager manager = built.get(0);
        // the writer holds its first row until the close has stopped the source: the rest is still queued then
        Thread releaser = new Thread(() -> {
            try {
                manager.source.stopped.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release[0].countDown();
        });
        releaser.start();
        for (int i = 0; i < ROWS; i++) {
            manager.source.emit(ROW, i);
        }

        flow.close();

        assertThat(manager.writer.rows).containsExactlyElementsOf(IntStream.range(0, ROWS).boxed().toList());
        assertThat(manager.writer.afterClose).hasValue(0);
        assertThat(manager.writer.closed).isTrue();
        assertThat(flow.handler().deadEvents()).isZero();
        assertThat(manager.source.listenerCount(ROW)).isZero();
    }

    @Test
    void close_fromListenerOnLoopThread_deliversEverythingAcceptedThenClosesResources() throws Exception {
        CountDownLatch allEmitted = new CountDownLatch(1);
        List<QuickStartManager> built = new CopyOnWriteArrayList<>();
        Flow[] self = new Flow[1];
        Flow flow = track(Flow.builder().handler(new AsyncDispatcher())
                .manager(handler -> {
                    QuickStartManager manager = new QuickStartManager("quotes", handler, allEmitted);
                    manager.source.once(ROW, row -> self[0].close()); // runs before the writer's first write
                    built.add(manager);
                    return manager;
                }).build());
        self[0] = flow;
        flow.start();
        QuickStartManager manager = built.get(0);
        for (int i = 0; i < ROWS; i++) {
            manager.source.emit(ROW, i);
        }
        allEmitted.countDown();

        assertThat(flow.awaitTermination(Duration.ofSeconds(10))).isTrue();
        flow.close(); // waits for the close that the listener handed to the closer thread

        assertThat(manager.writer.rows).hasSize(ROWS);
        assertThat(manager.writer.afterClose).hasValue(0);
        assertThat(manager.writer.closed).isTrue();
        assertThat(manager.source.stopped.getCount()).isZero();
        assertThat(((AsyncDispatcher) flow.handler()).isTerminated()).isTrue();
        assertThat(flow.handler().deadEvents()).isZero();
    }

    @Test
    void close_fromListenerWhileAnotherThreadCloses_doesNotDeadlock() throws Exception {
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch listenerClosed = new CountDownLatch(1);
        List<QuickStartManager> built = new CopyOnWriteArrayList<>();
        Flow[] self = new Flow[1];
        Flow flow = track(Flow.builder().handler(new AsyncDispatcher())
                .manager(handler -> {
                    QuickStartManager manager = new QuickStartManager("quotes", handler, new CountDownLatch(0));
                    manager.source.once(ROW, row -> {
                        inListener.countDown();
                        // the shutdown hook's close has begun: it has stopped the source and waits for this loop
                        assertThat(manager.source.stopped.await(10, TimeUnit.SECONDS)).isTrue();
                        self[0].close();
                        listenerClosed.countDown();
                    });
                    built.add(manager);
                    return manager;
                }).build());
        self[0] = flow;
        flow.start();
        built.get(0).source.emit(ROW, 1);
        assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();

        Thread hook = new Thread(flow::close, "shutdown-hook");
        hook.start();
        hook.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(hook.isAlive()).as("closing thread still blocked").isFalse();
        assertThat(listenerClosed.getCount()).isZero();
        assertThat(built.get(0).writer.rows).containsExactly(1);
        assertThat(flow.isTerminated()).isTrue();
    }

    @Test
    void close_waitsForTheRunningSupervisionTask_andStopsTheManagerItBuilt() throws Exception {
        CountDownLatch inFactory = new CountDownLatch(1);
        CountDownLatch releaseFactory = new CountDownLatch(1);
        AtomicInteger factoryCalls = new AtomicInteger();
        AtomicInteger factoriesAfterClose = new AtomicInteger();
        List<QuickStartManager> built = new CopyOnWriteArrayList<>();
        boolean[] closeReturned = new boolean[1];
        Flow flow = track(Flow.builder().handler(new SyncDispatcher())
                .restartPolicy(RestartPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(1)))
                .manager(handler -> {
                    if (closeReturned[0]) {
                        factoriesAfterClose.incrementAndGet();
                    }
                    if (factoryCalls.incrementAndGet() == 2) {
                        inFactory.countDown();
                        awaitQuietly(releaseFactory);
                    }
                    QuickStartManager manager = new QuickStartManager("m", handler, new CountDownLatch(0));
                    built.add(manager);
                    return manager;
                }).build());
        flow.start();
        built.get(0).source.failWith(new IllegalStateException("restart me"));
        assertThat(inFactory.await(10, TimeUnit.SECONDS)).isTrue();

        Thread closer = new Thread(() -> {
            flow.close();
            closeReturned[0] = true;
        }, "closer");
        closer.start();
        waitFor(() -> closer.getState() == Thread.State.WAITING || !closer.isAlive());
        assertThat(closer.isAlive()).as("close() returned while a factory ran").isTrue();
        releaseFactory.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(closer.isAlive()).isFalse();
        assertThat(built).hasSize(2);
        QuickStartManager late = built.get(1);
        assertThat(late.writer.closed).as("resources of the manager built while closing").isTrue();
        assertThat(late.source.starts).hasValue(0);
        assertThat(late.source.listenerCount(ROW)).isZero();
        assertThat(factoriesAfterClose).hasValue(0);
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.STOPPED);
    }

    @Test
    void close_calledByTheFactoryOfARestart_stopsTheManagerThatFactoryReturns() {
        ManualClock clock = new ManualClock(java.time.Instant.parse("2026-01-05T10:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        List<QuickStartManager> built = new CopyOnWriteArrayList<>();
        Flow[] self = new Flow[1];
        Flow flow = track(Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler)
                .errorReporter(new RecordingErrorReporter())
                .manager(handler -> {
                    if (!built.isEmpty()) {
                        self[0].close();
                    }
                    QuickStartManager manager = new QuickStartManager("m", handler, new CountDownLatch(0));
                    built.add(manager);
                    return manager;
                }).build());
        self[0] = flow;
        flow.start();
        built.get(0).source.failWith(new IllegalStateException("x"));
        scheduler.runReady();

        scheduler.advance(Duration.ofSeconds(5));

        assertThat(built).hasSize(2);
        assertThat(built.get(1).writer.closed).isTrue();
        assertThat(built.get(1).source.starts).hasValue(0);
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.STOPPED);
        assertThat(flow.handler().isClosed()).isTrue();
    }

    @Test
    void close_fromTheErrorReporter_doesNotDeadlock() throws Exception {
        Flow[] self = new Flow[1];
        CountDownLatch reported = new CountDownLatch(1);
        List<QuickStartManager> built = new CopyOnWriteArrayList<>();
        Flow flow = track(Flow.builder().handler(new AsyncDispatcher())
                .errorReporter(error -> {
                    self[0].close();
                    reported.countDown();
                })
                .manager(handler -> {
                    QuickStartManager manager = new QuickStartManager("m", handler, new CountDownLatch(0));
                    built.add(manager);
                    return manager;
                }).build());
        self[0] = flow;
        flow.start();

        built.get(0).source.failWith(new IllegalStateException("stop everything"));

        assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(flow.awaitTermination(Duration.ofSeconds(10))).isTrue();
        flow.close();
        assertThat(flow.handler().isClosed()).isTrue();
        assertThat(flow.isHealthy()).isFalse();
    }

    @Test
    void close_calledByAResourceWhileTheFlowClosesIt_doesNotDeadlock() throws Exception {
        Flow[] self = new Flow[1];
        AtomicInteger closes = new AtomicInteger();
        Flow flow = track(Flow.builder().handler(new AsyncDispatcher())
                .manager(handler -> new QuickStartManager("m", handler, new CountDownLatch(0)) {
                    {
                        closeOnStop(() -> {
                            closes.incrementAndGet();
                            self[0].close();
                        });
                    }
                }).build());
        self[0] = flow;
        flow.start();

        Thread closer = new Thread(flow::close, "closer");
        closer.start();
        closer.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(closer.isAlive()).isFalse();
        assertThat(closes).hasValue(1);
        assertThat(flow.isTerminated()).isTrue();
    }

    @Test
    void close_ofAFlowThatWasNeverStarted_closesTheHandler() {
        Flow flow = track(Flow.builder().handler(new AsyncDispatcher())
                .manager(handler -> new QuickStartManager("m", handler, new CountDownLatch(0))).build());

        flow.close();

        assertThat(flow.handler().isClosed()).isTrue();
        assertThat(flow.status()).extracting(ManagerStatus::state).containsExactly(ManagerState.STOPPED);
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
