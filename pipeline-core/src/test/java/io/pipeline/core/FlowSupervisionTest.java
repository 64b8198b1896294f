package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Restart decisions, ownership, fatal errors and health of a Flow, in virtual time. */
class FlowSupervisionTest {
    static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final RecordingErrorReporter reporter = new RecordingErrorReporter();
    final List<FlowTest.TestManager> built = new CopyOnWriteArrayList<>();
    Flow flow;

    @AfterEach
    void closeFlow() {
        if (flow != null) {
            flow.close();
        }
    }

    ManagerFactory factory(String name) {
        return handler -> {
            FlowTest.TestManager manager = new FlowTest.TestManager(name, handler, true);
            built.add(manager);
            return manager;
        };
    }

    Flow.Builder builder() {
        return Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler).errorReporter(reporter)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)).withRandomFactor(0));
    }

    List<FlowTest.TestManager> builtNamed(String name) {
        return built.stream().filter(m -> m.name().equals(name)).toList();
    }

    FlowTest.TestManager last() {
        return built.get(built.size() - 1);
    }

    // ---- ownership and names ----------------------------------------------------------------------------------

    @Test
    void uncaughtError_ofManagerMSub_failsMSub_notManagerM() {
        flow = builder().manager(factory("m")).manager(factory("m.sub")).build();
        flow.start();
        FlowTest.TestManager m = builtNamed("m").get(0);

        builtNamed("m.sub").get(0).source.emit(FlowTest.WORD, "explode");
        scheduler.runReady();

        assertThat(reporter.errors).singleElement().extracting(PipelineError::manager).isEqualTo("m.sub");
        assertThat(flow.status("m")).get().extracting(ManagerStatus::state).isEqualTo(ManagerState.RUNNING);
        assertThat(m.source.isStopped()).isFalse();
        assertThat(m.source.listenerCount(FlowTest.WORD)).isEqualTo(1);
        m.source.emit(FlowTest.WORD, "still wired");
        assertThat(m.heard).hasValue(1);
    }

    @Test
    void manager_ownsExactlyTheNamesItHandedOut() {
        SyncDispatcher handler = new SyncDispatcher();
        FlowTest.TestManager m = new FlowTest.TestManager("m", handler, true);

        assertThat(m.owns("m.source")).isTrue();
        assertThat(m.owns("m.processor")).isTrue();
        assertThat(m.owns("m.sub.source")).isFalse();
        assertThat(m.owns("m.other")).isFalse();
    }

    @Test
    void twoManagersWithOneName_startThrowsNamingTheDuplicate_andStopsWhatWasBuilt() {
        flow = builder().manager(factory("twin")).manager(factory("solo")).manager(factory("twin")).build();

        assertThatThrownBy(flow::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("'twin'");

        assertThat(built).hasSize(3).allSatisfy(m -> assertThat(m.source.isStopped()).isTrue());
        assertThat(flow.handler().isClosed()).isTrue();
    }

    @Test
    void rebuiltManagerTakingAnotherManagersName_isGivenUpOnWithAClearError() {
        AtomicInteger calls = new AtomicInteger();
        ManagerFactory renaming = handler -> factory(calls.incrementAndGet() == 1 ? "a" : "b").create(handler);
        flow = builder().manager(renaming).manager(factory("b")).build();
        flow.start();

        builtNamed("a").get(0).source.failWith(new IllegalStateException("x"));
        scheduler.runReady();
        scheduler.advance(Duration.ofSeconds(1));

        assertThat(reporter.errors).hasSize(2);
        assertThat(reporter.errors.get(1).cause()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'b'");
        assertThat(reporter.errors.get(1).willRestart()).isFalse();
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.FAILED);
        assertThat(builtNamed("b")).hasSize(2);
        assertThat(builtNamed("b").get(1).source.isStopped()).isTrue();
        assertThat(flow.status("b")).get().extracting(ManagerStatus::state).isEqualTo(ManagerState.RUNNING);
    }

    // ---- guarded supervision ----------------------------------------------------------------------------------

    @Test
    void throwInsideRestartDecision_isReported_andFailsThatManagersSlot() {
        RandomGenerator broken = () -> {
            throw new ArithmeticException("broken random");
        };
        flow = Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler).errorReporter(reporter)
                .random(broken).manager(factory("m")).build();
        flow.start();

        last().source.failWith(new IllegalStateException("first failure"));
        scheduler.runReady();

        assertThat(reporter.errors).singleElement().satisfies(e -> {
            assertThat(e.manager()).isEqualTo("m");
            assertThat(e.willRestart()).isFalse();
            assertThat(e.cause()).hasRootCauseMessage("broken random");
        });
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.FAILED);
        assertThat(flow.isTerminated()).isTrue();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
    }

    @Test
    void shouldRestartThrowingAnError_isReported_andFailsThatManagersSlot() {
        flow = builder().manager(handler -> {
            FlowTest.TestManager manager = new FlowTest.TestManager("m", handler, true) {
                @Override
                public boolean shouldRestart() {
                    throw new AssertionError("no opinion");
                }
            };
            built.add(manager);
            return manager;
        }).build();
        flow.start();

        last().source.failWith(new IllegalStateException("x"));
        scheduler.runReady();

        assertThat(reporter.errors).singleElement().satisfies(e -> {
            assertThat(e.willRestart()).isFalse();
            assertThat(e.cause()).hasRootCauseMessage("no opinion");
        });
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.FAILED);
    }

    @Test
    void reporterOverflowingItsStack_isLogged_andTheRestartStillHappens() {
        ErrorReporter overflowing = error -> {
            throw new StackOverflowError("reporter recursed");
        };
        flow = builder().errorReporter(overflowing).manager(factory("m")).build();
        flow.start();

        last().source.failWith(new IllegalStateException("x"));
        scheduler.runReady();
        scheduler.advance(Duration.ofSeconds(1));

        assertThat(built).hasSize(2);
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.RUNNING);
    }

    @Test
    void factoryOverflowingItsStack_isReportedAndRetried() {
        AtomicInteger calls = new AtomicInteger();
        flow = builder().manager(handler -> {
            if (calls.incrementAndGet() == 2) {
                throw new StackOverflowError("factory recursed");
            }
            return factory("m").create(handler);
        }).build();
        flow.start();

        last().source.failWith(new IllegalStateException("x"));
        scheduler.runReady();
        scheduler.advance(Duration.ofSeconds(1));
        scheduler.advance(Duration.ofSeconds(2));

        assertThat(reporter.errors).extracting(e -> e.cause().getClass().getSimpleName())
                .containsExactly("IllegalStateException", "StackOverflowError");
        assertThat(built).hasSize(2);
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.RUNNING);
    }

    // ---- normal finishes ----------------------------------------------------------------------------------------

    @Test
    void oneMinuteTimeSource_underTheDefaultPolicy_ticksEveryMinuteForever() {
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        flow = Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler).errorReporter(reporter)
                .random(new SplittableRandom(42))
                .manager(handler -> new Manager("minutely", handler) {
                    {
                        TimeSource tick = new TimeSource(processorName("tick"), handler, Duration.ofMinutes(1), clock,
                                scheduler);
                        tick.on(TimeSource.TICK, ticks::add);
                        setSource(tick);
                    }
                }).build();
        flow.start();

        for (int minute = 0; minute < 180; minute++) {
            scheduler.advance(Duration.ofMinutes(1));
        }

        assertThat(ticks).hasSize(180);
        for (int i = 0; i < ticks.size(); i++) {
            assertThat(ticks.get(i)).isEqualTo(Instant.parse("2026-01-05T10:01:00Z").plus(Duration.ofMinutes(i)));
        }
        assertThat(reporter.errors).isEmpty();
        assertThat(flow.status().get(0).restarts()).isEqualTo(179); // the 180th rebuild is a second away
    }

    @Test
    void normalFinishes_waitMinEachTime_andDoNotCountTowardsMaxRestarts() {
        flow = builder().restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1))
                .withRandomFactor(0).withMaxRestarts(2, Duration.ofHours(1))).manager(factory("m")).build();
        flow.start();

        for (int i = 0; i < 10; i++) {
            last().source.finish();
            scheduler.runReady();
            assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofSeconds(1));
            scheduler.advance(Duration.ofSeconds(1));
        }
        assertThat(built).hasSize(11);
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.RUNNING);

        last().source.failWith(new IllegalStateException("first real failure"));
        scheduler.runReady();

        assertThat(reporter.errors).singleElement().satisfies(e -> {
            assertThat(e.willRestart()).isTrue();
            assertThat(e.restartDelay()).isEqualTo(Duration.ofSeconds(1));
        });
    }

    // ---- extreme durations --------------------------------------------------------------------------------------

    @Test
    void foreverForMaxWithinAndResetAfter_restartsWithGrowingDelays() {
        flow = builder().restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), FOREVER).withRandomFactor(0)
                .withMaxRestarts(3, FOREVER).withResetAfter(FOREVER)).manager(factory("m")).build();
        flow.start();

        for (int i = 0; i < 4; i++) {
            last().source.failWith(new IllegalStateException("failure " + i));
            scheduler.runReady();
            scheduler.advance(Duration.ofSeconds(1L << i));
        }

        assertThat(reporter.errors).extracting(PipelineError::restartDelay).containsExactly(Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ZERO);
        assertThat(reporter.errors).extracting(PipelineError::willRestart).containsExactly(true, true, true, false);
        assertThat(flow.awaitTermination(FOREVER)).isTrue();
    }

    @Test
    void foreverMinAndMax_scheduleARestartWithoutThrowing() {
        flow = builder().restartPolicy(RestartPolicy.backoff(FOREVER, FOREVER)).manager(factory("m")).build();
        flow.start();

        last().source.failWith(new IllegalStateException("x"));
        scheduler.runReady();

        assertThat(reporter.errors).singleElement().extracting(PipelineError::willRestart).isEqualTo(true);
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.RESTARTING);
        assertThat(scheduler.pending()).isEqualTo(1);
    }

    @Test
    void awaitTermination_forever_waitsUntilTheFlowTerminates() throws Exception {
        flow = builder().manager(handler -> new FlowTest.TestManager("once", handler, false)).build();
        flow.start();
        CompletableFuture<Boolean> awaited = CompletableFuture.supplyAsync(() -> flow.awaitTermination(FOREVER));

        flow.close();

        assertThat(awaited.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(flow.awaitTermination(Duration.ofSeconds(-1))).isTrue();
    }

    // ---- fatal errors -------------------------------------------------------------------------------------------

    @Test
    void handlerDyingOfAFatalError_isReported_givesUpOnEveryManager_andFlowIsDown() {
        flow = builder().manager(factory("a")).manager(factory("b")).build();
        flow.start();
        OutOfMemoryError fatal = new OutOfMemoryError("simulated");

        Dispatcher.of(flow.handler()).died(fatal);
        scheduler.runReady();

        assertThat(reporter.errors).singleElement().satisfies(e -> {
            assertThat(e.manager()).isEqualTo(Flow.HANDLER);
            assertThat(e.cause()).isSameAs(fatal);
            assertThat(e.isFinal()).isTrue();
        });
        assertThat(flow.status()).allSatisfy(s -> {
            assertThat(s.state()).isEqualTo(ManagerState.FAILED);
            assertThat(s.lastError()).containsSame(fatal);
        });
        assertThat(built).allSatisfy(m -> assertThat(m.source.isStopped()).isTrue());
        Health health = flow.health();
        assertThat(health.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(health.details()).contains("handler died").contains("simulated");
        assertThat(flow.isHealthy()).isFalse();
        assertThat(flow.isTerminated()).isTrue();
        scheduler.advance(Duration.ofHours(1));
        assertThat(built).hasSize(2);
    }

    // ---- health -------------------------------------------------------------------------------------------------

    @Test
    void health_isDownBeforeStart_upWhileAllRun_downAfterClose() {
        flow = builder().manager(factory("a")).manager(factory("b")).build();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(flow.health().details()).contains("new");
        assertThat(flow.isHealthy()).isFalse();

        flow.start();
        Health up = flow.health();
        assertThat(up.status()).isEqualTo(HealthStatus.UP);
        assertThat(up.managers()).extracting(ManagerStatus::state).containsOnly(ManagerState.RUNNING);
        assertThat(flow.isHealthy()).isTrue();

        flow.close();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(flow.health().details()).contains("closed");
        assertThat(flow.isHealthy()).isFalse();
    }

    @Test
    void health_isDegradedWhileAFailedManagerWaitsToRestart_andUpAgainOnceRebuilt() {
        flow = builder().manager(factory("flaky")).manager(factory("steady")).build();
        flow.start();

        builtNamed("flaky").get(0).source.failWith(new IllegalStateException("timeout"));
        scheduler.runReady();

        Health degraded = flow.health();
        assertThat(degraded.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(degraded.details()).contains("flaky").contains("timeout");
        assertThat(flow.status("flaky")).get().extracting(ManagerStatus::state).isEqualTo(ManagerState.RESTARTING);
        assertThat(flow.isHealthy()).isTrue();

        scheduler.advance(Duration.ofSeconds(1));
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
    }

    @Test
    void health_isDegradedAfterRepeatedRestartsWithinTheWindow_andUpOnceTheyAge() {
        flow = builder().manager(factory("m")).build(); // reset after 1 min: the window health counts in
        flow.start();
        for (int i = 0; i < 2; i++) {
            last().source.failWith(new IllegalStateException("failure " + i));
            scheduler.runReady();
            scheduler.advance(Duration.ofSeconds(2));
        }

        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.RUNNING);
        Health health = flow.health();
        assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(health.details()).contains("'m'").contains("2 failures");

        scheduler.advance(Duration.ofMinutes(2));
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
    }

    @Test
    void health_isUpWhileAManagerWaitsToRestartAfterANormalFinish() {
        flow = builder().manager(factory("m")).build();
        flow.start();

        last().source.finish();
        scheduler.runReady();

        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.RESTARTING);
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
    }

    @Test
    void health_isDownOnceAManagerIsGivenUpOn_naming_it() {
        flow = builder().restartPolicy(RestartPolicy.never()).manager(factory("gone")).manager(factory("alive"))
                .build();
        flow.start();

        builtNamed("gone").get(0).source.failWith(new IllegalStateException("disk full"));
        scheduler.runReady();

        Health health = flow.health();
        assertThat(health.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(health.details()).contains("'gone'").contains("disk full").doesNotContain("'alive'");
        assertThat(flow.status()).extracting(ManagerStatus::state)
                .containsExactly(ManagerState.FAILED, ManagerState.RUNNING);
    }
}
