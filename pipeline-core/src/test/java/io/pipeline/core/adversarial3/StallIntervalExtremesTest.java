package io.pipeline.core.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.ErrorReporter;
import io.pipeline.core.Flow;
import io.pipeline.core.HealthStatus;
import io.pipeline.core.Manager;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.PipelineError;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SourceStall;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code Source.expectedInterval()} at the extremes: 1 ns stalls at the first look, FOREVER never does, zero and
 * negative count as "no interval" (no watchdog), and none of them throws on the supervisor.
 */
class StallIntervalExtremesTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final List<SourceStall> stalls = new CopyOnWriteArrayList<>();
    final List<PipelineError> errors = new CopyOnWriteArrayList<>();
    Flow flow;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
    }

    Flow start(Duration interval) {
        flow = Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)))
                .errorReporter(new ErrorReporter() {
                    @Override
                    public void report(PipelineError error) {
                        errors.add(error);
                    }

                    @Override
                    public void stalled(SourceStall stall) {
                        stalls.add(stall);
                    }
                })
                .manager(h -> new Manager("m", h) {
                    {
                        setSource(new Feed(processorName("source"), h, interval));
                    }
                }).build();
        flow.start();
        return flow;
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0.000000001S", "PT0S", "PT-1S"})
    void oneNanosecond_stallsAtTheFirstLook_zeroOrNegative_meanNoWatchdog(String text) {
        Duration interval = Duration.parse(text);
        start(interval);

        scheduler.advance(Duration.ofSeconds(5));

        assertThat(scheduler.thrown()).isEmpty();
        assertThat(errors).isEmpty();
        if (interval.isNegative() || interval.isZero()) {
            assertThat(stalls).isEmpty();
            assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
            assertThat(scheduler.pending()).isZero(); // no watchdog armed
        } else {
            assertThat(stalls).singleElement().extracting(SourceStall::expectedInterval).isEqualTo(interval);
            assertThat(flow.health().status()).isEqualTo(HealthStatus.DEGRADED);
        }
    }

    @Test
    void foreverInterval_neverStalls() {
        start(ChronoUnit.FOREVER.getDuration());

        scheduler.advance(Duration.ofDays(3));

        assertThat(scheduler.thrown()).isEmpty();
        assertThat(stalls).isEmpty();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
        assertThat(flow.metrics().manager("m").orElseThrow().source("m.source").orElseThrow().expectedInterval())
                .contains(ChronoUnit.FOREVER.getDuration());
    }
}
