package io.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static io.pipeline.core.ManagerState.RESTARTING;
import static io.pipeline.core.ManagerState.RUNNING;
import static io.pipeline.core.ManagerState.STOPPED;

import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerStatus;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.PipelineError;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A Flow supervising a scripted pipeline entirely in virtual time: RecordingErrorReporter and StatusRecorder. */
class FlowInVirtualTimeTest {
    static final Event<Integer> N = Event.of("n", Integer.class);

    private final VirtualTime time = VirtualTime.create();
    private final RecordingErrorReporter errors = new RecordingErrorReporter();
    private final EventRecorder<Integer> accepted = EventRecorder.create();
    private final AtomicInteger built = new AtomicInteger();

    /** Ticks 1, 2, 3 every second; the listener refuses 3, an uncaught error that fails the manager. */
    final class Counting extends Manager {
        Counting(MessageHandler handler) {
            super("counting", handler);
            built.incrementAndGet();
            var source = new ScriptedSource<>(processorName("source"), handler, N, List.of(1, 2, 3))
                    .ticking(time, Duration.ofSeconds(1));
            source.on(N, n -> {
                if (n == 3) {
                    throw new IllegalArgumentException("three is refused");
                }
                accepted.handle(n);
            });
            setSource(source);
        }
    }

    private Flow flow() {
        return Flow.builder()
                .handler(new SyncDispatcher())
                .manager(Counting::new)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(5), Duration.ofMinutes(1)).withRandomFactor(0))
                .errorReporter(errors)
                .clock(time)
                .scheduler(time)
                .build();
    }

    @Test
    void failingManager_isReportedAndRestartedAfterTheBackoff_inVirtualTime() throws Exception {
        try (Flow flow = flow()) {
            StatusRecorder<io.pipeline.core.ManagerState> states = StatusRecorder.managerState(flow, "counting", time);
            flow.start();
            states.sampleOn(time); // samples now, and after every step

            time.advance(Duration.ofSeconds(3));

            List<PipelineError> reports = errors.await(1, Duration.ZERO);
            assertThat(reports).singleElement().satisfies(error -> {
                assertThat(error.manager()).isEqualTo("counting");
                assertThat(error.cause()).hasRootCauseMessage("three is refused");
                assertThat(error.willRestart()).isTrue();
                assertThat(error.restartDelay()).isEqualTo(Duration.ofSeconds(5));
                assertThat(error.time()).isEqualTo(VirtualTime.DEFAULT_START.plusSeconds(3));
            });
            assertThat(states.values()).containsExactly(RUNNING, RESTARTING);

            time.advance(Duration.ofSeconds(5));

            assertThat(built).hasValue(2);
            assertThat(states.values()).containsExactly(RUNNING, RESTARTING, RUNNING);
            assertThat(states.changes()).extracting(StatusRecorder.Change::time).containsExactly(
                    VirtualTime.DEFAULT_START, VirtualTime.DEFAULT_START.plusSeconds(3),
                    VirtualTime.DEFAULT_START.plusSeconds(8));
            time.advance(Duration.ofSeconds(2));
            assertThat(accepted.values()).containsExactly(1, 2, 1, 2);
            assertThat(flow.status("counting")).map(ManagerStatus::restarts).contains(1);

            flow.close();
            states.sample();
            assertThat(states.values()).endsWith(STOPPED);
            assertThat(errors.causes()).hasSize(1);
        }
    }

    @Test
    void flowStatus_recordsOneEntryPerChange() {
        try (Flow flow = flow()) {
            StatusRecorder<List<ManagerStatus>> status = StatusRecorder.flowStatus(flow, time);
            flow.start();

            assertThat(status.sample()).isTrue();
            assertThat(status.sample()).isFalse();
            time.advance(Duration.ofSeconds(1));
            assertThat(status.sample()).as("nothing changed in the status").isFalse();
            time.advance(Duration.ofSeconds(2));
            assertThat(status.sample()).isTrue();

            assertThat(status.values()).hasSize(2);
            assertThat(status.values().get(1)).singleElement().satisfies(s -> {
                assertThat(s.state()).isEqualTo(RESTARTING);
                assertThat(s.lastError()).isPresent();
            });
            status.clear();
            assertThat(status.sample()).as("after clear the next sample is recorded").isTrue();
        }
    }

    @Test
    void errorReporter_awaitFinal_findsTheReportThatGaveUp() throws Exception {
        try (Flow flow = Flow.builder()
                .handler(new SyncDispatcher())
                .manager(Counting::new)
                .restartPolicy(RestartPolicy.never())
                .errorReporter(errors)
                .clock(time)
                .scheduler(time)
                .build()) {
            flow.start();
            time.advance(Duration.ofSeconds(10));

            assertThat(errors.awaitFinal(Duration.ZERO).willRestart()).isFalse();
            assertThat(flow.isTerminated()).isTrue();
            errors.clear();
            assertThat(errors.count()).isZero();
        }
    }
}
