package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The flow's stall watchdog, in virtual time. */
class StallWatchdogTest {
    static final Event<String> WORD = FlowTest.WORD;

    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final List<PipelineError> errors = new CopyOnWriteArrayList<>();
    final List<SourceStall> stalls = new CopyOnWriteArrayList<>();
    final List<Quiet> built = new CopyOnWriteArrayList<>();
    Flow flow;

    @AfterEach
    void closeFlow() {
        if (flow != null) {
            flow.close();
        }
    }

    /** A source that expects data every 10 s and emits only when told to. */
    static final class QuietSource extends Source {
        private final boolean restart;

        QuietSource(String name, MessageHandler handler, boolean restart) {
            super(name, handler);
            this.restart = restart;
        }

        @Override
        public CompletableFuture<Void> start() {
            return completion();
        }

        @Override
        public Optional<Duration> expectedInterval() {
            return Optional.of(Duration.ofSeconds(10));
        }

        @Override
        public boolean restartWhenStalled() {
            return restart;
        }
    }

    static final class Quiet extends Manager {
        final QuietSource source;

        Quiet(MessageHandler handler, boolean restart) {
            super("quiet", handler);
            source = new QuietSource(processorName("source"), handler, restart);
            source.on(WORD, w -> { });
            setSource(source);
        }
    }

    /** Records both report kinds separately (so the default {@code stalled} is not used). */
    final class Recording implements ErrorReporter {
        @Override
        public void report(PipelineError error) {
            errors.add(error);
        }

        @Override
        public void stalled(SourceStall stall) {
            stalls.add(stall);
        }
    }

    Flow.Builder builder(boolean sourceRestarts) {
        return Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler)
                .errorReporter(new Recording())
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)).withRandomFactor(0))
                .manager(handler -> {
                    Quiet quiet = new Quiet(handler, sourceRestarts);
                    built.add(quiet);
                    return quiet;
                });
    }

    @Test
    void silentForThreeIntervals_degradesHealth_andReportsTheStallOnce() {
        flow = builder(false).build();
        flow.start();

        scheduler.advance(Duration.ofSeconds(30));
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
        assertThat(stalls).isEmpty();

        scheduler.advance(Duration.ofSeconds(1));
        Health health = flow.health();
        assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(health.details()).contains("source 'quiet.source' of manager 'quiet' stalled")
                .contains("PT10S");
        assertThat(stalls).singleElement().satisfies(stall -> {
            assertThat(stall.manager()).isEqualTo("quiet");
            assertThat(stall.source()).isEqualTo("quiet.source");
            assertThat(stall.expectedInterval()).isEqualTo(Duration.ofSeconds(10));
            assertThat(stall.silence()).isEqualTo(Duration.ofSeconds(31));
            assertThat(stall.time()).isEqualTo(Instant.parse("2026-01-05T10:00:31Z"));
        });
        assertThat(flow.metrics().manager("quiet").orElseThrow().source("quiet.source").orElseThrow().stalled())
                .isTrue();

        scheduler.advance(Duration.ofMinutes(5));
        assertThat(stalls).hasSize(1);
        assertThat(errors).isEmpty();
        assertThat(built).hasSize(1); // not restarted
    }

    @Test
    void stall_clearsWhenDataFlowsAgain() {
        flow = builder(false).build();
        flow.start();
        scheduler.advance(Duration.ofSeconds(31));
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DEGRADED);

        built.get(0).source.emit(WORD, "back");
        scheduler.advance(Duration.ofSeconds(1));

        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
        assertThat(flow.metrics().manager("quiet").orElseThrow().source("quiet.source").orElseThrow().stalled())
                .isFalse();

        scheduler.advance(Duration.ofSeconds(31)); // silent again: a second stall
        assertThat(stalls).hasSize(2);
    }

    @Test
    void regularData_neverStalls() {
        flow = builder(false).build();
        flow.start();
        for (int i = 0; i < 20; i++) {
            scheduler.advance(Duration.ofSeconds(25));
            built.get(0).source.emit(WORD, "tick");
        }
        assertThat(stalls).isEmpty();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
    }

    @Test
    void stallMultiple_isConfigurable() {
        flow = builder(false).stallMultiple(5).build();
        flow.start();
        scheduler.advance(Duration.ofSeconds(50));
        assertThat(stalls).isEmpty();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(stalls).singleElement().extracting(SourceStall::silence).isEqualTo(Duration.ofSeconds(51));
    }

    @Test
    void sourceThatRestartsWhenStalled_isFailed_andItsManagerRebuilt() {
        flow = builder(true).build();
        flow.start();

        scheduler.advance(Duration.ofSeconds(31));

        assertThat(stalls).isEmpty();
        assertThat(errors).singleElement().satisfies(error -> {
            assertThat(error.manager()).isEqualTo("quiet");
            assertThat(error.willRestart()).isTrue();
            assertThat(error.cause()).isInstanceOf(SourceStalledException.class)
                    .hasMessageContaining("quiet.source");
            assertThat(((SourceStalledException) error.cause()).stall().silence()).isEqualTo(Duration.ofSeconds(31));
        });
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(built).hasSize(2);
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);

        scheduler.advance(Duration.ofSeconds(31)); // the rebuilt source is watched from its own start
        assertThat(errors).hasSize(2);
    }

    @Test
    void restartStalledSources_onTheFlow_restartsEverySource() {
        flow = builder(false).restartStalledSources(true).build();
        flow.start();
        scheduler.advance(Duration.ofSeconds(31));
        assertThat(errors).singleElement().extracting(PipelineError::cause)
                .isInstanceOf(SourceStalledException.class);
    }

    @Test
    void defaultStalledReport_isAPipelineErrorWithAStallCause() {
        RecordingErrorReporter reporter = new RecordingErrorReporter();
        flow = builder(false).errorReporter(reporter).build();
        flow.start();
        scheduler.advance(Duration.ofSeconds(31));
        assertThat(reporter.errors).singleElement().satisfies(error -> {
            assertThat(error.willRestart()).isFalse();
            assertThat(error.cause()).isInstanceOf(SourceStalledException.class);
            assertThat(error.manager()).isEqualTo("quiet");
        });
    }

    @Test
    void watchdogOff_neverReports() {
        flow = builder(false).stallWatchdog(false).build();
        flow.start();
        scheduler.advance(Duration.ofMinutes(10));
        assertThat(stalls).isEmpty();
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void sourcesWithoutAnInterval_armNoWatchdog() {
        flow = Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler)
                .manager(handler -> new FlowTest.TestManager("plain", handler, true)).build();
        flow.start();
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void cronSource_expectsItsFrequency() {
        CronSource cron = new CronSource("c", new SyncDispatcher(), Duration.ofMinutes(1));
        assertThat(cron.expectedInterval()).contains(Duration.ofMinutes(1));
        assertThat(new TimeSource("t", new SyncDispatcher(), Duration.ofHours(1)).expectedInterval())
                .contains(Duration.ofHours(1));
    }

    @Test
    void builder_rejectsBadWatchdogSettings() {
        Flow.Builder builder = Flow.builder();
        assertThatThrownBy(() -> builder.stallMultiple(0.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0.5");
        assertThatThrownBy(() -> builder.stallMultiple(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.stallMultiple(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.stallCheckInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> builder.stallCheckInterval(Duration.ofDays(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.stallCheckInterval(Duration.ofNanos(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 ms");
        assertThatThrownBy(() -> builder.stallCheckInterval(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(builder.stallCheckInterval(Duration.ofMillis(1))).isSameAs(builder);
    }

    @Test
    void closedFlow_stopsTheWatchdog() {
        flow = builder(false).build();
        flow.start();
        flow.close();
        scheduler.advance(Duration.ofMinutes(10));
        assertThat(stalls).isEmpty();
    }
}
