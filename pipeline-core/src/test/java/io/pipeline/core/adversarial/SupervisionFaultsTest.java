package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Flow;
import io.pipeline.core.HealthStatus;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerState;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.PipelineError;
import io.pipeline.core.Processor;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Supervision under faults, in virtual time: a flow on a {@link SyncDispatcher} and a {@link ManualScheduler}. */
class SupervisionFaultsTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RecordingErrorReporter reporter = new RecordingErrorReporter();
    private static final RestartPolicy ONE_SECOND = RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(8))
            .withRandomFactor(0);

    /** A manager of one {@link ManualSource}, kept in {@code built}. */
    static class OneSource extends Manager {
        final ManualSource source;
        final Plain plain;

        OneSource(String name, MessageHandler handler) {
            super(name, handler);
            source = new ManualSource(processorName("source"), handler);
            plain = new Plain(processorName("plain"), handler);
            setSource(source);
        }
    }

    private Flow flow(RestartPolicy policy, io.pipeline.core.ManagerFactory... factories) {
        Flow.Builder builder = Flow.builder().handler(new SyncDispatcher()).restartPolicy(policy)
                .errorReporter(reporter).clock(clock).scheduler(scheduler);
        for (var factory : factories) {
            builder.manager(factory);
        }
        return builder.build();
    }

    @Test
    void factoryThrowingOutOfMemoryOnRestart_isReportedAndFlowIsDown() {
        List<OneSource> built = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        Flow flow = flow(ONE_SECOND, handler -> {
            if (calls.incrementAndGet() == 2) {
                throw new OutOfMemoryError("factory");
            }
            OneSource manager = new OneSource("m", handler);
            built.add(manager);
            return manager;
        });
        flow.start();
        built.get(0).source.failWith(new IllegalStateException("boom"));
        scheduler.runReady();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DEGRADED);

        try {
            scheduler.advance(Duration.ofSeconds(1));
        } catch (OutOfMemoryError thrownHere) {
            // acceptable: it is loud
        }

        // A fatal error in a supervision task must not leave the flow silent with the manager in limbo.
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(flow.status("m").orElseThrow().state()).isEqualTo(ManagerState.FAILED);
        assertThat(reporter.errors).extracting(PipelineError::cause).last()
                .isInstanceOf(OutOfMemoryError.class);
        assertThat(flow.isTerminated()).isTrue();
        flow.close();
    }

    @Test
    void reporterThrowingInternalError_isNotSwallowedSilently() {
        List<OneSource> built = new CopyOnWriteArrayList<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(ONE_SECOND)
                .errorReporter(error -> {
                    throw new InternalError("reporter");
                })
                .clock(clock).scheduler(scheduler)
                .manager(handler -> {
                    OneSource manager = new OneSource("m", handler);
                    built.add(manager);
                    return manager;
                }).build();
        flow.start();
        built.get(0).source.failWith(new IllegalStateException("boom"));
        try {
            scheduler.runReady();
        } catch (InternalError thrownHere) {
            // acceptable: it is loud
        }
        // The restart was scheduled before the report: either it still happens, or the flow is DOWN. Never UP or
        // DEGRADED forever with nothing scheduled.
        scheduler.advance(Duration.ofSeconds(1));
        boolean restarted = built.size() == 2 && flow.status("m").orElseThrow().state() == ManagerState.RUNNING;
        assertThat(restarted || flow.health().status() == HealthStatus.DOWN)
                .as("restarted=%s health=%s", built.size(), flow.health()).isTrue();
        flow.close();
    }

    @Test
    void shouldRestartThrowingStackOverflow_givesUpAndReports() {
        List<OneSource> built = new CopyOnWriteArrayList<>();
        Flow flow = flow(ONE_SECOND, handler -> {
            OneSource manager = new OneSource("m", handler) {
                @Override
                public boolean shouldRestart() {
                    throw new StackOverflowError("deep");
                }
            };
            built.add(manager);
            return manager;
        });
        flow.start();
        built.get(0).source.failWith(new IllegalStateException("boom"));
        scheduler.runReady();

        assertThat(scheduler.thrown()).isEmpty();
        assertThat(reporter.errors).hasSize(1);
        assertThat(reporter.errors.get(0).isFinal()).isTrue();
        assertThat(flow.status("m").orElseThrow().state()).isEqualTo(ManagerState.FAILED);
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(flow.isTerminated()).isTrue();
        flow.close();
    }

    @Test
    void fanIn_sourceStopThrowingError_stillStopsTheOtherSourcesAndClosesResources() {
        List<ManualSource> others = new CopyOnWriteArrayList<>();
        AtomicInteger closed = new AtomicInteger();
        Flow flow = flow(ONE_SECOND, handler -> new Manager("m", handler) {
            {
                setSource(new ManualSource(processorName("bad"), handler) {
                    @Override
                    public void stop() {
                        super.stop();
                        throw new AssertionError("stop");
                    }
                });
                ManualSource other = new ManualSource(processorName("other"), handler);
                others.add(other);
                addSource(other);
                closeOnStop(closed::incrementAndGet);
            }
        });
        flow.start();
        flow.close();

        assertThat(others.get(0).stops).as("the second source was stopped").isEqualTo(1);
        assertThat(closed.get()).as("the resource was closed").isEqualTo(1);
    }

    @Test
    void failure_sourceStopThrowingError_stillClosesResourcesBeforeRestart() {
        List<OneSource> built = new CopyOnWriteArrayList<>();
        AtomicInteger closed = new AtomicInteger();
        Flow flow = flow(ONE_SECOND, handler -> {
            OneSource manager = new OneSource("m", handler) {
                {
                    closeOnStop(closed::incrementAndGet);
                    addSource(new ManualSource(processorName("bad"), handler) {
                        @Override
                        public void stop() {
                            super.stop();
                            throw new StackOverflowError("stop");
                        }
                    });
                }
            };
            built.add(manager);
            return manager;
        });
        flow.start();
        built.get(0).source.failWith(new IllegalStateException("boom"));
        scheduler.runReady();

        assertThat(closed.get()).as("the failed manager's resource was closed").isEqualTo(1);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(built).hasSize(2);
        flow.close();
        assertThat(closed.get()).isEqualTo(2);
    }

    @Test
    void resourceCloseThrowingError_stillClosesTheOthers() {
        AtomicInteger closed = new AtomicInteger();
        Flow flow = flow(ONE_SECOND, handler -> new OneSource("m", handler) {
            {
                closeOnStop(closed::incrementAndGet); // closed last
                closeOnStop(() -> {
                    throw new AssertionError("close");
                });
            }
        });
        flow.start();
        flow.close();
        assertThat(closed.get()).isEqualTo(1);
    }

    @Test
    void normalFinish_neverCountsTowardsMaxRestarts_andWaitsMinEachTime() {
        List<OneSource> built = new CopyOnWriteArrayList<>();
        Flow flow = flow(ONE_SECOND.withMaxRestarts(1, ChronoUnit.FOREVER.getDuration()), handler -> {
            OneSource manager = new OneSource("m", handler);
            built.add(manager);
            return manager;
        });
        flow.start();
        for (int i = 1; i <= 20; i++) {
            built.get(i - 1).source.finish();
            scheduler.runReady();
            assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofSeconds(1));
            assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
            scheduler.advance(Duration.ofSeconds(1));
            assertThat(built).hasSize(i + 1);
        }
        // A failure after all that is the first one: restarted after min, and the next one is given up on.
        built.get(20).source.failWith(new IllegalStateException("1"));
        scheduler.runReady();
        assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofSeconds(1));
        scheduler.advance(Duration.ofSeconds(1));
        built.get(21).source.failWith(new IllegalStateException("2"));
        scheduler.runReady();
        assertThat(flow.status("m").orElseThrow().state()).isEqualTo(ManagerState.FAILED);
        flow.close();
    }

    @Test
    void foreverDurations_everywhere_restartAndWaitWithoutThrowing() {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        List<OneSource> built = new CopyOnWriteArrayList<>();
        RestartPolicy policy = RestartPolicy.backoff(Duration.ofNanos(1), forever).withResetAfter(forever)
                .withMaxRestarts(Integer.MAX_VALUE, forever).withRandomFactor(1);
        Flow flow = flow(policy, handler -> {
            OneSource manager = new OneSource("m", handler);
            built.add(manager);
            return manager;
        });
        flow.start();
        for (int i = 0; i < 80; i++) {
            built.get(built.size() - 1).source.failWith(new IllegalStateException("boom " + i));
            scheduler.runReady();
            Duration next = scheduler.nextDelay();
            assertThat(next).isNotNull().isPositive();
            if (i < 3) {
                scheduler.advance(next);
            }
        }
        assertThat(scheduler.thrown()).isEmpty();
        assertThat(flow.awaitTermination(Duration.ofNanos(-1))).isFalse();
        assertThat(flow.awaitTermination(Duration.ZERO)).isFalse();
        flow.close();
        assertThat(flow.awaitTermination(forever)).isTrue();
        assertThat(flow.awaitTermination(Duration.ofSeconds(Long.MIN_VALUE))).isTrue();
    }

    @Test
    void oneNanosecondBackoff_restartsInVirtualTime() {
        List<OneSource> built = new CopyOnWriteArrayList<>();
        Flow flow = flow(RestartPolicy.backoff(Duration.ofNanos(1), Duration.ofNanos(1)), handler -> {
            OneSource manager = new OneSource("m", handler);
            built.add(manager);
            return manager;
        });
        flow.start();
        built.get(0).source.failWith(new IllegalStateException("boom"));
        scheduler.runReady();
        scheduler.advance(Duration.ofNanos(1));
        assertThat(built).hasSize(2);
        assertThat(flow.status("m").orElseThrow().restarts()).isEqualTo(1);
        flow.close();
    }

    @Test
    void restartPolicy_badArguments_areRejectedNamingTheValue() {
        assertThatThrownBy(() -> RestartPolicy.backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> RestartPolicy.backoff(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> RestartPolicy.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1S");
        assertThatThrownBy(() -> ONE_SECOND.withMaxRestarts(1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> ONE_SECOND.withRandomFactor(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    }

    @Test
    void prefixNamedManagers_uncaughtErrorFailsOnlyTheOwner() {
        List<OneSource> outer = new CopyOnWriteArrayList<>();
        List<OneSource> inner = new CopyOnWriteArrayList<>();
        Flow flow = flow(ONE_SECOND, handler -> {
            OneSource manager = new OneSource("m", handler);
            outer.add(manager);
            return manager;
        }, handler -> {
            OneSource manager = new OneSource("m.plain", handler);
            inner.add(manager);
            return manager;
        });
        flow.start();
        inner.get(0).plain.emit(Processor.ERROR, new IllegalStateException("inner"));
        scheduler.runReady();
        assertThat(flow.status("m").orElseThrow().state()).isEqualTo(ManagerState.RUNNING);
        assertThat(flow.status("m.plain").orElseThrow().state()).isEqualTo(ManagerState.RESTARTING);
        assertThat(outer).hasSize(1);
        flow.close();
    }

    @Test
    void duplicateNames_onRestart_givesUpOnTheRebuiltOne() {
        AtomicReference<String> secondName = new AtomicReference<>("b");
        List<OneSource> seconds = new CopyOnWriteArrayList<>();
        Flow flow = flow(ONE_SECOND, handler -> new OneSource("a", handler), handler -> {
            OneSource manager = new OneSource(secondName.get(), handler);
            seconds.add(manager);
            return manager;
        });
        flow.start();
        secondName.set("a");
        seconds.get(0).source.failWith(new IllegalStateException("boom"));
        scheduler.runReady();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(flow.status().get(1).state()).isEqualTo(ManagerState.FAILED);
        assertThat(reporter.errors).last().extracting(PipelineError::cause).asString().contains("'a'");
        assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.RUNNING);
        flow.close();
    }

    @Test
    void duplicateNames_atStart_areRejected() {
        Flow flow = flow(ONE_SECOND, handler -> new OneSource("same", handler),
                handler -> new OneSource("same", handler));
        assertThatThrownBy(flow::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("'same'");
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
    }

    @Test
    void health_inEachState() {
        List<OneSource> built = new CopyOnWriteArrayList<>();
        Flow flow = flow(ONE_SECOND.withMaxRestarts(2, Duration.ofMinutes(10)), handler -> {
            OneSource manager = new OneSource("m", handler);
            built.add(manager);
            return manager;
        });
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(flow.isHealthy()).isFalse();
        flow.start();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
        built.get(0).source.failWith(new IllegalStateException("one"));
        scheduler.runReady();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(flow.health().details()).contains("'m'", "one");
        assertThat(flow.isHealthy()).isTrue();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
        built.get(1).source.failWith(new IllegalStateException("two"));
        scheduler.runReady();
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(flow.status("m").orElseThrow().state()).isEqualTo(ManagerState.RUNNING);
        assertThat(flow.health().status()).as("restarted twice within the window").isEqualTo(HealthStatus.DEGRADED);
        built.get(2).source.failWith(new IllegalStateException("three"));
        scheduler.runReady();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(flow.isHealthy()).isFalse();
        flow.close();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
    }

    @Test
    void closeFromReporter_onSupervisorThread_doesNotDeadlockAndStopsEverything() throws Exception {
        List<OneSource> built = new CopyOnWriteArrayList<>();
        AtomicReference<Flow> self = new AtomicReference<>();
        java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(ONE_SECOND)
                .errorReporter(error -> {
                    self.get().close();
                    reported.countDown();
                })
                .manager(handler -> {
                    OneSource manager = new OneSource("m", handler);
                    built.add(manager);
                    return manager;
                }).build();
        self.set(flow);
        flow.start();
        built.get(0).source.failWith(new IllegalStateException("boom"));
        assertThat(reported.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(flow.awaitTermination(Duration.ofSeconds(10))).isTrue();
        flow.close();
        assertThat(built).hasSize(1);
        assertThat(Threads.alive("pipeline-flow-")).isEmpty();
    }

    @Test
    void managerBuiltWhileClosing_isStoppedAndItsResourcesClosed() throws Exception {
        java.util.concurrent.CountDownLatch building = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch proceed = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger closed = new AtomicInteger();
        List<OneSource> built = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(RestartPolicy.backoff(
                        Duration.ofMillis(1), Duration.ofMillis(1)))
                .errorReporter(reporter)
                .manager(handler -> {
                    if (calls.incrementAndGet() == 2) {
                        building.countDown();
                        await(proceed);
                    }
                    OneSource manager = new OneSource("m", handler) {
                        {
                            closeOnStop(closed::incrementAndGet);
                        }
                    };
                    built.add(manager);
                    return manager;
                }).build();
        flow.start();
        built.get(0).source.failWith(new IllegalStateException("boom"));
        assertThat(building.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(flow::close, "test-closer");
        closer.start();
        Threads.awaitBlockedOrDone(closer);
        proceed.countDown();
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(built).hasSize(2);
        assertThat(closed.get()).isEqualTo(2);
        assertThat(built.get(1).source.stops).isGreaterThanOrEqualTo(0);
        assertThat(built.get(1).isDone()).isTrue();
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            if (!latch.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static <T> T get(Supplier<T> supplier) {
        return supplier.get();
    }
}
