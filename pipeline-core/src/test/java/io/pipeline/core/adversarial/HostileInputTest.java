package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Backoff;
import io.pipeline.core.Flow;
import io.pipeline.core.HealthStatus;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerState;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Broken values handed to the engine by user code: random sources, exceptions, handlers. */
class HostileInputTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RecordingErrorReporter reporter = new RecordingErrorReporter();

    /** A generator that always draws {@code value} from nextDouble(). */
    private static RandomGenerator drawing(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    @Test
    void backoff_withARandomSourceOutsideItsContract_staysWithinItsDocumentedBounds() {
        Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10)).withJitter(0.5);
        for (double draw : new double[] {Double.NaN, -3, 7, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertThat(backoff.delay(1, drawing(draw))).as("draw %s", draw)
                    .isBetween(Duration.ofSeconds(1), Duration.ofMillis(1500));
        }
    }

    @Test
    void restartPolicy_withARandomSourceDrawingNaN_neverRestartsWithoutWaiting() {
        List<ManualSource> built = new CopyOnWriteArrayList<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher())
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .random(drawing(Double.NaN)).errorReporter(reporter).clock(clock).scheduler(scheduler)
                .manager(handler -> new Manager("m", handler) {
                    {
                        ManualSource s = new ManualSource(processorName("s"), handler);
                        built.add(s);
                        setSource(s);
                    }
                }).build();
        flow.start();
        built.get(0).failWith(new IllegalStateException("boom"));
        scheduler.runReady();
        assertThat(reporter.errors).singleElement()
                .satisfies(e -> assertThat(e.restartDelay()).isGreaterThanOrEqualTo(Duration.ofSeconds(1)));
        flow.close();
    }

    @Test
    void handlerClosedBehindTheFlowsBack_isDown() {
        Flow flow = Flow.builder().handler(new SyncDispatcher()).errorReporter(reporter).clock(clock)
                .scheduler(scheduler)
                .manager(handler -> new Manager("m", handler) {
                    {
                        setSource(new ManualSource(processorName("s"), handler));
                    }
                }).build();
        flow.start();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
        flow.handler().close();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(flow.health().details()).contains("handler");
        flow.close();
    }

    @Test
    void managerBuiltOnAnotherHandler_isRefusedWithAClearError() {
        SyncDispatcher other = new SyncDispatcher();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).errorReporter(reporter).clock(clock)
                .scheduler(scheduler)
                .manager(ignored -> new Manager("stray", other) {
                    {
                        setSource(new ManualSource(processorName("s"), other));
                    }
                }).build();
        flow.start();
        scheduler.runReady();
        assertThat(reporter.errors).isNotEmpty();
        assertThat(reporter.errors.get(0).cause()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stray").hasMessageContaining("handler");
        assertThat(flow.status().get(0).state()).isNotEqualTo(ManagerState.RUNNING);
        flow.close();
    }

    @Test
    void managerOnANullHandler_isRejectedNamingIt() {
        assertThatThrownBy(() -> new Manager("m", (MessageHandler) null) {})
                .isInstanceOf(NullPointerException.class).hasMessageContaining("handler");
    }

    @Test
    void startTwice_andStartAfterClose_throwClearly() {
        Flow flow = Flow.builder().handler(new SyncDispatcher()).errorReporter(reporter).clock(clock)
                .scheduler(scheduler)
                .manager(handler -> new Manager("m", handler) {
                    {
                        setSource(new ManualSource(processorName("s"), handler));
                    }
                }).build();
        flow.start();
        assertThatThrownBy(flow::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("started");
        flow.close();
        assertThatThrownBy(flow::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void run_interrupted_returnsKeepingTheFlag() {
        Flow flow = Flow.builder().handler(new SyncDispatcher()).errorReporter(reporter).clock(clock)
                .scheduler(scheduler)
                .manager(handler -> new Manager("m", handler) {
                    {
                        setSource(new ManualSource(processorName("s"), handler));
                    }
                }).build();
        Thread.currentThread().interrupt();
        try {
            flow.run();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
            flow.close();
        }
    }
}
