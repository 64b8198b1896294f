package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Core's log messages name their flow, manager and processor (read through java.util.logging, the default). */
class LogContextTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final FlowLogRecorder log = new FlowLogRecorder();
    final List<LogRecord> records = log.records();
    Flow flow;
    FlowTest.TestManager manager;

    @BeforeEach
    void listen() {
        log.attach();
    }

    @AfterEach
    void stop() {
        if (flow != null) {
            flow.close();
        }
        log.close();
    }

    /** Flow "logs" with manager "m" ({@link FlowTest.TestManager}), restarted after 1 s. */
    private Flow.Builder logsFlow() {
        return Flow.builder().name("logs").handler(new SyncDispatcher()).clock(clock).scheduler(scheduler)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)).withRandomFactor(0))
                .manager(handler -> manager = new FlowTest.TestManager("m", handler, true));
    }

    private void assertLogged(String start) {
        assertThat(records).extracting(LogRecord::getMessage)
                .anySatisfy(message -> assertThat(message).startsWith(start));
    }

    @Test
    void defaultReporter_namesFlowManagerAndProcessor() {
        flow = logsFlow().build();
        flow.start();

        manager.source.emit(FlowTest.WORD, "explode"); // uncaught: fails the manager
        scheduler.runReady();

        assertLogged("[flow=logs manager=m processor=m.source] Manager 'm' failed (restart 1 in PT1S)");
    }

    @Test
    void sourceFailure_isReportedWithTheFailedSourceAsItsProcessor() {
        List<PipelineError> reports = new CopyOnWriteArrayList<>();
        flow = logsFlow().errorReporter(reports::add).build();
        flow.start();

        manager.source.failWith(new java.io.IOException("connection reset"));
        scheduler.runReady();

        assertThat(reports).singleElement().satisfies(error -> {
            assertThat(error.processor()).isEqualTo("m.source");
            assertThat(error.cause()).isInstanceOf(java.io.IOException.class);
        });
    }

    @Test
    void defaultReporter_namesTheSourceWhoseFutureFailed() {
        flow = logsFlow().build();
        flow.start();

        manager.source.failWith(new java.io.IOException("connection reset"));
        scheduler.runReady();

        assertLogged("[flow=logs manager=m processor=m.source] Manager 'm' failed (restart 1 in PT1S)");
    }

    @Test
    void pipelineError_withoutAProcessor_takesTheOneItsCauseNames() {
        Instant now = clock.instant();
        PipelineError named = new PipelineError("m", new ListenerException("m.p", "e", new RuntimeException()), false,
                Duration.ZERO, 0, now);
        PipelineError unnamed = new PipelineError("m", new RuntimeException("plain"), false, Duration.ZERO, 0, now);

        assertThat(named.processor()).isEqualTo("m.p");
        assertThat(unnamed.processor()).isNull();
    }

    @Test
    void defaultReporter_logsAStallAsAWarningNamingTheSource() {
        flow = Flow.builder().name("quiet-logs").handler(new SyncDispatcher()).clock(clock).scheduler(scheduler)
                .manager(handler -> new StallWatchdogTest.Quiet(handler, false)).build();
        flow.start();

        scheduler.advance(Duration.ofSeconds(31));

        assertThat(records).anySatisfy(record -> {
            assertThat(record.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
            assertThat(record.getMessage()).startsWith("[flow=quiet-logs manager=quiet processor=quiet.source] "
                    + "Watchdog: source 'quiet.source' of manager 'quiet' stalled");
        });
    }

    @Test
    void context_leavesOutWhatIsUnknown() {
        assertThat(LogContext.of("f", null, "p")).isEqualTo("[flow=f processor=p] ");
        assertThat(LogContext.of(null, null, null)).isEmpty();
        assertThat(LogContext.processorOf(new IllegalStateException(new ListenerException("p", "e",
                new RuntimeException())))).isEqualTo("p");
        assertThat(LogContext.processorOf(new RuntimeException("plain"))).isNull();
    }
}
