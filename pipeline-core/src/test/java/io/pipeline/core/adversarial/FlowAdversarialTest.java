package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.HealthStatus;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerState;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Overflow;
import io.pipeline.core.PipelineError;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.Source;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Flows on real threads attacked through the public API. */
class FlowAdversarialTest {
    private static final Event<Long> SEQ = Event.of("seq", Long.class);
    private final RecordingErrorReporter reporter = new RecordingErrorReporter();

    /** Emits 0, 1, 2, … from a thread of its own as fast as the handler takes them, until stopped or refused. */
    static final class Firehose extends Source {
        final AtomicLong accepted = new AtomicLong();
        final AtomicReference<Throwable> refusal = new AtomicReference<>();
        private volatile Thread thread;

        Firehose(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            thread = new Thread(() -> {
                try {
                    for (long i = 0; !isStopped(); i++) {
                        emit(SEQ, i);
                        accepted.incrementAndGet();
                    }
                } catch (IllegalStateException closed) {
                    refusal.set(closed);
                }
            }, "adv-firehose");
            thread.start();
            return completion();
        }

        @Override
        public void stop() {
            super.stop();
            try {
                Thread current = thread;
                if (current != null) {
                    current.join(10_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void close_whileAProducerFloodsABlockingQueue_writesEveryAcceptedMessageBeforeClosingTheResource()
            throws Exception {
        AtomicReference<Firehose> source = new AtomicReference<>();
        List<Long> written = new CopyOnWriteArrayList<>();
        AtomicBoolean resourceClosed = new AtomicBoolean();
        AtomicLong writesAfterClose = new AtomicLong();
        CountDownLatch flowing = new CountDownLatch(1000);
        Flow flow = Flow.builder()
                .handler(AsyncDispatcher.builder().capacity(64).overflow(Overflow.BLOCK).threadName("adv-loop").build())
                .restartPolicy(RestartPolicy.never()).errorReporter(reporter)
                .manager(handler -> new Manager("hose", handler) {
                    {
                        Firehose hose = new Firehose(processorName("source"), handler);
                        source.set(hose);
                        closeOnStop(() -> resourceClosed.set(true));
                        hose.on(SEQ, n -> {
                            if (resourceClosed.get()) {
                                writesAfterClose.incrementAndGet();
                            }
                            written.add(n);
                            flowing.countDown();
                        });
                        setSource(hose);
                    }
                }).build();
        flow.start();
        assertThat(flowing.await(10, TimeUnit.SECONDS)).isTrue();
        flow.close();

        assertThat(writesAfterClose.get()).isZero();
        assertThat(resourceClosed.get()).isTrue();
        assertThat((long) written.size()).isEqualTo(source.get().accepted.get());
        assertThat(written).isSorted();
        assertThat(Threads.alive("adv-loop")).isEmpty();
        assertThat(Threads.alive("adv-firehose")).isEmpty();
    }

    @Test
    void close_fromAListenerOnTheLoop_leavesNoThreadBehindOnceASecondCloseReturns() throws Exception {
        AtomicReference<Flow> self = new AtomicReference<>();
        AtomicReference<ManualSource> source = new AtomicReference<>();
        Flow flow = Flow.builder()
                .handler(AsyncDispatcher.builder().threadName("adv-loop2").build())
                .restartPolicy(RestartPolicy.never()).errorReporter(reporter)
                .manager(handler -> new Manager("m", handler) {
                    {
                        ManualSource s = new ManualSource(processorName("source"), handler);
                        s.on(ManualSource.DATA, data -> self.get().close());
                        source.set(s);
                        setSource(s);
                    }
                }).build();
        self.set(flow);
        flow.start();
        String prefix = "pipeline-flow-";
        source.get().send("close");
        flow.close(); // the shutdown hook: returns once the listener's close has finished
        assertThat(flow.isTerminated()).isTrue();
        assertThat(Threads.alive("adv-loop2")).isEmpty();
        assertThat(Threads.alive(prefix).stream().filter(t -> t.getName().endsWith("-closer")).toList()).isEmpty();
    }

    @Test
    void fanIn_oneSourceFinishing_keepsTheManagerRunning_oneFailing_stopsTheOthers() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        List<List<ManualSource>> built = new CopyOnWriteArrayList<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher())
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).withRandomFactor(0))
                .errorReporter(reporter).clock(clock).scheduler(scheduler)
                .manager(handler -> new Manager("fan", handler) {
                    {
                        List<ManualSource> sources = List.of(new ManualSource(processorName("a"), handler),
                                new ManualSource(processorName("b"), handler),
                                new ManualSource(processorName("c"), handler));
                        setSource(sources.get(0));
                        addSource(sources.get(1));
                        addSource(sources.get(2));
                        built.add(sources);
                    }
                }).build();
        flow.start();
        List<ManualSource> first = built.get(0);
        first.get(0).finish();
        scheduler.runReady();
        assertThat(flow.status("fan").orElseThrow().state()).isEqualTo(ManagerState.RUNNING);
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
        first.get(1).failWith(new IllegalStateException("b broke"));
        scheduler.runReady();
        assertThat(first.get(2).stops).isEqualTo(1);
        assertThat(first.get(2).isDone()).isTrue();
        assertThat(reporter.errors).singleElement().extracting(PipelineError::willRestart).isEqualTo(true);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(built).hasSize(2);
        built.get(1).forEach(ManualSource::finish);
        scheduler.runReady();
        assertThat(flow.status("fan").orElseThrow().state()).isEqualTo(ManagerState.RESTARTING);
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
        flow.close();
    }

    @Test
    void failuresFurtherApartThanTheWindow_neverExhaustTheLimit_andBackoffStaysAtMin() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        List<ManualSource> built = new CopyOnWriteArrayList<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher())
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)).withRandomFactor(0)
                        .withMaxRestarts(2, Duration.ofMinutes(1)))
                .errorReporter(reporter).clock(clock).scheduler(scheduler)
                .manager(handler -> new Manager("m", handler) {
                    {
                        ManualSource s = new ManualSource(processorName("s"), handler);
                        built.add(s);
                        setSource(s);
                    }
                }).build();
        flow.start();
        for (int i = 0; i < 10; i++) {
            scheduler.advance(Duration.ofMinutes(2));
            built.get(i).failWith(new IllegalStateException("fail " + i));
            scheduler.runReady();
            assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofSeconds(1));
            scheduler.advance(Duration.ofSeconds(1));
        }
        assertThat(flow.status("m").orElseThrow().state()).isEqualTo(ManagerState.RUNNING);
        assertThat(flow.status("m").orElseThrow().restarts()).isEqualTo(10);
        flow.close();
    }

    @Test
    void maxRestartsZero_givesUpOnTheFirstFailure() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        List<ManualSource> built = new CopyOnWriteArrayList<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher())
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
                        .withMaxRestarts(0, Duration.ofMinutes(1)))
                .errorReporter(reporter).clock(clock).scheduler(scheduler)
                .manager(handler -> new Manager("m", handler) {
                    {
                        ManualSource s = new ManualSource(processorName("s"), handler);
                        built.add(s);
                        setSource(s);
                    }
                }).build();
        flow.start();
        built.get(0).failWith(new IllegalStateException("once"));
        scheduler.runReady();
        assertThat(flow.status("m").orElseThrow().state()).isEqualTo(ManagerState.FAILED);
        assertThat(reporter.errors).singleElement().extracting(PipelineError::isFinal).isEqualTo(true);
        assertThat(flow.isTerminated()).isTrue();
        flow.close();
    }

    @Test
    void close_withARestartPendingForever_returnsPromptly_andEndsTheSupervisor() throws Exception {
        List<ManualSource> built = new CopyOnWriteArrayList<>();
        AtomicReference<Thread> supervisor = new AtomicReference<>();
        Duration forever = ChronoUnit.FOREVER.getDuration();
        Flow flow = Flow.builder().handler(new SyncDispatcher())
                .restartPolicy(RestartPolicy.backoff(forever, forever))
                .errorReporter(error -> {
                    supervisor.set(Thread.currentThread());
                    reporter.report(error);
                })
                .manager(handler -> new Manager("m", handler) {
                    {
                        ManualSource s = new ManualSource(processorName("s"), handler);
                        built.add(s);
                        setSource(s);
                    }
                }).build();
        flow.start();
        built.get(0).failWith(new IllegalStateException("boom"));
        assertThat(reporter.await(1)).isTrue();
        assertThat(reporter.errors.get(0).restartDelay()).isPositive();
        Thread closer = new Thread(flow::close, "adv-closer");
        closer.start();
        Threads.awaitEnd(closer);
        assertThat(flow.status("m").orElseThrow().state()).isEqualTo(ManagerState.STOPPED);
        assertThat(supervisor.get().isAlive()).isFalse();
    }

    @Test
    void callersSchedulerShutDownUnderARunningFlow_failureIsStillReported() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        List<ManualSource> built = new CopyOnWriteArrayList<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher())
                .restartPolicy(RestartPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(1)))
                .errorReporter(reporter).scheduler(scheduler)
                .manager(handler -> new Manager("m", handler) {
                    {
                        ManualSource s = new ManualSource(processorName("s"), handler);
                        built.add(s);
                        setSource(s);
                    }
                }).build();
        flow.start();
        scheduler.shutdown();
        assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        built.get(0).failWith(new IllegalStateException("boom"));
        assertThat(reporter.await(1)).isTrue();
        // The restart cannot be scheduled: the flow must not claim a restart that never comes.
        assertThat(flow.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
        flow.close();
    }
}
