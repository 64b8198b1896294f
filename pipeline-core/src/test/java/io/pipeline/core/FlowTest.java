package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlowTest {
    static final Event<String> WORD = Event.of("word", String.class);

    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final RecordingErrorReporter reporter = new RecordingErrorReporter();
    final List<TestManager> built = new CopyOnWriteArrayList<>();
    Flow flow;

    @AfterEach
    void closeFlow() {
        if (flow != null) {
            flow.close();
        }
    }

    /** A source that runs until the test finishes or fails it. */
    static final class TestSource extends Source {
        final AtomicInteger starts = new AtomicInteger();

        TestSource(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            starts.incrementAndGet();
            return completion();
        }

        void failWith(Throwable failure) {
            fail(failure);
        }

        void finish() {
            complete();
        }
    }

    /** source --WORD--> processor --WORD--> counted. */
    static class TestManager extends Manager {
        final TestSource source;
        final TestProcessor processor;
        final AtomicInteger heard = new AtomicInteger();
        private final boolean restart;

        TestManager(String name, MessageHandler handler, boolean restart) {
            super(name, handler);
            this.restart = restart;
            source = new TestSource(processorName("source"), handler);
            processor = new TestProcessor(processorName("processor"), handler);
            source.on(WORD, w -> {
                if (w.equals("explode")) {
                    throw new IllegalStateException("exploded");
                }
                processor.emit(WORD, w);
            });
            processor.on(WORD, w -> heard.incrementAndGet());
            setSource(source);
        }

        @Override
        public boolean shouldRestart() {
            return restart;
        }
    }

    ManagerFactory factory(String name) {
        return factory(name, true);
    }

    ManagerFactory factory(String name, boolean restart) {
        return handler -> {
            TestManager manager = new TestManager(name, handler, restart);
            built.add(manager);
            return manager;
        };
    }

    Flow.Builder builder() {
        return Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler).errorReporter(reporter)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)).withRandomFactor(0));
    }

    TestManager last() {
        return built.get(built.size() - 1);
    }

    List<TestManager> builtNamed(String name) {
        return built.stream().filter(m -> m.name().equals(name)).toList();
    }

    @Test
    void start_buildsAndWiresEveryManagerBeforeReturning() {
        flow = builder().manager(factory("a")).manager(factory("b")).build();

        flow.start();

        assertThat(built).extracting(Manager::name).containsExactly("a", "b");
        assertThat(built).allSatisfy(m -> {
            assertThat(m.source.starts).hasValue(1);
            assertThat(m.source.listenerCount(WORD)).isEqualTo(1);
        });
        assertThat(flow.status()).extracting(ManagerStatus::name, ManagerStatus::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", ManagerState.RUNNING),
                        org.assertj.core.groups.Tuple.tuple("b", ManagerState.RUNNING));
        assertThat(flow.isHealthy()).isTrue();
    }

    @Test
    void sourceFailingFiveTimes_fiveReportsAndFiveRestartsWithGrowingDelays() {
        flow = builder().manager(factory("m")).build();
        flow.start();

        for (int failure = 1; failure <= 5; failure++) {
            last().source.failWith(new IllegalStateException("failure " + failure));
            scheduler.runReady();
            PipelineError error = reporter.errors.get(failure - 1);
            Duration expected = Duration.ofSeconds(1L << (failure - 1));
            assertThat(error.manager()).isEqualTo("m");
            assertThat(error.cause()).hasMessage("failure " + failure);
            assertThat(error.willRestart()).isTrue();
            assertThat(error.restartDelay()).isEqualTo(expected);
            assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.RESTARTING);

            scheduler.advance(expected.minusMillis(1));
            assertThat(built).hasSize(failure);
            scheduler.advance(Duration.ofMillis(1));
            assertThat(built).hasSize(failure + 1);
        }

        assertThat(reporter.errors).hasSize(5);
        assertThat(reporter.errors).extracting(PipelineError::restartDelay).isSorted();
        ManagerStatus status = flow.status().get(0);
        assertThat(status.restarts()).isEqualTo(5);
        assertThat(status.state()).isEqualTo(ManagerState.RUNNING);
        assertThat(status.lastError()).get().extracting(Throwable::getMessage).isEqualTo("failure 5");
    }

    @Test
    void backoff_isCappedAtMax() {
        flow = builder().restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(3))
                .withRandomFactor(0)).manager(factory("m")).build();
        flow.start();

        for (int failure = 0; failure < 4; failure++) {
            last().source.failWith(new IllegalStateException("x"));
            scheduler.runReady();
            scheduler.advance(Duration.ofMinutes(1).minusSeconds(57));
        }

        assertThat(reporter.errors).extracting(PipelineError::restartDelay)
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(3));
    }

    @Test
    void jitter_stretchesDelayByAtMostTheRandomFactor() {
        RandomGenerator almostOne = () -> -1L; // nextDouble() just below 1.0
        flow = builder().random(almostOne).restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(10),
                Duration.ofMinutes(1))).manager(factory("m")).build();
        flow.start();

        last().source.failWith(new IllegalStateException("x"));
        scheduler.runReady();

        assertThat(reporter.errors.get(0).restartDelay()).isBetween(Duration.ofMillis(11_900), Duration.ofSeconds(12));
    }

    @Test
    void backoff_resetsAfterHealthyRun() {
        flow = builder().manager(factory("m")).build();
        flow.start();
        last().source.failWith(new IllegalStateException("1"));
        scheduler.runReady();
        scheduler.advance(Duration.ofSeconds(1));
        last().source.failWith(new IllegalStateException("2"));
        scheduler.runReady();
        scheduler.advance(Duration.ofSeconds(2));

        scheduler.advance(Duration.ofMinutes(5));
        last().source.failWith(new IllegalStateException("3"));
        scheduler.runReady();

        assertThat(reporter.errors).extracting(PipelineError::restartDelay)
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1));
    }

    @Test
    void managerThatShouldNotRestart_isReportedAsFinal_andNotRestarted() {
        flow = builder().manager(factory("once", false)).build();
        flow.start();

        last().source.failWith(new IllegalStateException("boom"));
        scheduler.runReady();
        scheduler.advance(Duration.ofHours(1));

        assertThat(built).hasSize(1);
        assertThat(reporter.errors).singleElement().satisfies(e -> {
            assertThat(e.willRestart()).isFalse();
            assertThat(e.isFinal()).isTrue();
        });
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.FAILED);
        assertThat(flow.isTerminated()).isTrue();
    }

    @Test
    void sourceFinishingNormally_isRestartedWithoutReport_whenShouldRestart() {
        flow = builder().manager(factory("m")).build();
        flow.start();

        last().source.finish();
        scheduler.runReady();
        scheduler.advance(Duration.ofSeconds(1));

        assertThat(built).hasSize(2);
        assertThat(reporter.errors).isEmpty();
        assertThat(flow.status().get(0).restarts()).isEqualTo(1);
    }

    @Test
    void sourceFinishingNormally_withoutRestart_completesAndTerminatesFlow() {
        flow = builder().manager(factory("m", false)).build();
        flow.start();

        last().source.finish();
        scheduler.runReady();

        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.COMPLETED);
        assertThat(flow.awaitTermination(Duration.ZERO)).isTrue();
        flow.run();
    }

    @Test
    void maxRestartsExhausted_givesUpOnThatManager_andTheRestRunsOn() {
        flow = builder().restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                        .withRandomFactor(0).withMaxRestarts(2, Duration.ofMinutes(10)))
                .manager(factory("flaky")).manager(factory("steady")).build();
        flow.start();

        for (int i = 0; i < 3; i++) {
            builtNamed("flaky").get(i).source.failWith(new IllegalStateException("fail " + i));
            scheduler.runReady();
            scheduler.advance(Duration.ofSeconds(1));
        }

        assertThat(builtNamed("flaky")).hasSize(3);
        assertThat(reporter.errors).extracting(PipelineError::willRestart).containsExactly(true, true, false);
        assertThat(flow.status("flaky")).get().extracting(ManagerStatus::state).isEqualTo(ManagerState.FAILED);
        assertThat(flow.status("steady")).get().extracting(ManagerStatus::state).isEqualTo(ManagerState.RUNNING);
        assertThat(flow.isHealthy()).isFalse();
        assertThat(flow.isTerminated()).isFalse();
        TestManager steady = builtNamed("steady").get(0);
        steady.source.emit(WORD, "still flowing");
        assertThat(steady.heard).hasValue(1);
    }

    @Test
    void uncaughtListenerError_failsOwningManager_whichIsRestarted() {
        flow = builder().manager(factory("m")).manager(factory("other")).build();
        flow.start();
        TestManager first = builtNamed("m").get(0);

        first.source.emit(WORD, "explode");
        scheduler.runReady();

        assertThat(reporter.errors).singleElement().satisfies(e -> {
            assertThat(e.manager()).isEqualTo("m");
            assertThat(e.cause()).isInstanceOf(ListenerException.class).hasRootCauseMessage("exploded");
        });
        assertThat(first.source.isStopped()).isTrue();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(builtNamed("m")).hasSize(2);
        assertThat(builtNamed("other")).hasSize(1);
    }

    @Test
    void listenedError_doesNotFailManager() {
        flow = builder().manager(factory("m")).build();
        flow.start();
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        last().source.on(Processor.ERROR, seen::add);

        last().source.emit(WORD, "explode");
        scheduler.runReady();

        assertThat(seen).hasSize(1);
        assertThat(reporter.errors).isEmpty();
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.RUNNING);
    }

    @Test
    void restartedManager_leavesNoListenerOfItsPredecessor() {
        flow = builder().manager(factory("m")).build();
        flow.start();
        TestManager first = last();

        first.source.failWith(new IllegalStateException("x"));
        scheduler.runReady();
        scheduler.advance(Duration.ofSeconds(1));
        TestManager second = last();
        second.source.emit(WORD, "hello");

        assertThat(second).isNotSameAs(first);
        assertThat(second.source.listenerCount(WORD)).isEqualTo(1);
        assertThat(second.processor.listenerCount(WORD)).isEqualTo(1);
        assertThat(first.heard).hasValue(0);
        assertThat(second.heard).hasValue(1);
    }

    @Test
    void throwingFactory_isReportedAndRetried() {
        AtomicInteger calls = new AtomicInteger();
        ManagerFactory flaky = handler -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalArgumentException("bad config");
            }
            return factory("m").create(handler);
        };
        flow = builder().manager(flaky).build();

        flow.start();
        scheduler.runReady();

        assertThat(reporter.errors).singleElement().satisfies(e -> {
            assertThat(e.manager()).isEqualTo("manager-1");
            assertThat(e.cause()).hasMessage("bad config");
            assertThat(e.willRestart()).isTrue();
        });
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(built).hasSize(1);
        assertThat(flow.status().get(0).name()).isEqualTo("m");
    }

    @Test
    void close_stopsManagers_cancelsPendingRestarts_andClosesHandler() {
        flow = builder().manager(factory("a")).manager(factory("b")).build();
        flow.start();
        TestManager a = builtNamed("a").get(0);
        TestManager b = builtNamed("b").get(0);
        b.source.failWith(new IllegalStateException("x"));
        scheduler.runReady();

        flow.close();
        flow.close();
        scheduler.advance(Duration.ofMinutes(5));

        assertThat(a.source.isStopped()).isTrue();
        assertThat(builtNamed("b")).hasSize(1);
        assertThat(flow.handler().isClosed()).isTrue();
        assertThat(flow.status()).extracting(ManagerStatus::state).containsOnly(ManagerState.STOPPED);
        assertThat(flow.awaitTermination(Duration.ZERO)).isTrue();
        assertThat(a.source.listenerCount(WORD)).isZero();
    }

    @Test
    void start_twice_throws() {
        flow = builder().manager(factory("m")).build();
        flow.start();

        assertThatThrownBy(flow::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
    }

    @Test
    void build_withoutManagers_throws() {
        assertThatThrownBy(() -> Flow.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("manager");
    }

    @Test
    void handler_cannotBelongToTwoFlows() {
        SyncDispatcher shared = new SyncDispatcher();
        flow = Flow.builder().handler(shared).manager(factory("m")).build();

        assertThatThrownBy(() -> Flow.builder().handler(shared).manager(factory("n")).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("another flow");
    }

    @Test
    void run_returnsOnceNoManagerRunsOrWillRestart_withRealThreads() {
        RecordingErrorReporter errors = new RecordingErrorReporter();
        flow = Flow.builder().handler(new AsyncDispatcher()).errorReporter(errors)
                .restartPolicy(RestartPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(2)).withMaxRestarts(3, Duration.ofHours(1)))
                .manager(handler -> new Manager("failing", handler) {
                    {
                        setSource(new Source(processorName("source"), handler) {
                            @Override
                            public CompletableFuture<Void> start() {
                                return CompletableFuture.supplyAsync(() -> {
                                    throw new IllegalStateException("always");
                                });
                            }
                        });
                    }
                })
                .build();

        flow.run();

        assertThat(errors.errors).hasSize(4);
        assertThat(errors.errors).extracting(PipelineError::willRestart).containsExactly(true, true, true, false);
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.FAILED);
    }

    @Test
    void uncaughtErrorOnAsyncLoopThread_failsManager_andFlowRestartsIt() throws Exception {
        RecordingErrorReporter errors = new RecordingErrorReporter();
        flow = Flow.builder().handler(new AsyncDispatcher()).errorReporter(errors)
                .restartPolicy(RestartPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(2)))
                .manager(factory("m")).build();
        flow.start();

        built.get(0).source.emit(WORD, "explode");

        assertThat(errors.await(1)).isTrue();
        assertThat(errors.errors.get(0).cause()).hasRootCauseMessage("exploded");
        DispatcherContractTest.waitFor(() -> built.size() == 2);
        assertThat(built.get(0).source.isStopped()).isTrue();
    }

    @Test
    void close_endsSupervisorThread() throws Exception {
        RecordingErrorReporter errors = new RecordingErrorReporter();
        flow = Flow.builder().handler(new SyncDispatcher()).errorReporter(errors).manager(factory("m")).build();
        flow.start();
        built.get(0).source.failWith(new IllegalStateException("starts the supervisor"));
        assertThat(errors.await(1)).isTrue();
        assertThat(supervisorThreads()).isPositive();

        flow.close();

        DispatcherContractTest.waitFor(() -> supervisorThreads() == 0);
    }

    private static long supervisorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("pipeline-flow-") && t.isAlive()).count();
    }
}
