package io.pipeline.core.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.CronSource;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerMetrics;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "When its sources last emitted" is the time of the last emit, not the time the flow next happened to look: for a
 * source that brackets its emitting work (the time sources and the bundled connectors do), exactly; with the stall
 * watchdog looking every second or not looking at all.
 */
class LastMessageTimeTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    Flow flow;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void lastMessage_isTheTimeOfTheLastTick_notOfTheNextLook(boolean watchdog) {
        flow = Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler).stallWatchdog(watchdog)
                .errorReporter(new RecordingErrorReporter())
                .manager(h -> new Manager("cron", h) {
                    {
                        CronSource ticks = new CronSource(processorName("ticks"), h, Duration.ofSeconds(10), clock,
                                scheduler);
                        ticks.on(CronSource.TICK, t -> { });
                        setSource(ticks);
                    }
                }).build();
        flow.start();

        scheduler.advance(Duration.ofSeconds(37)); // ticks at :10, :20, :30

        ManagerMetrics cron = flow.metrics().manager("cron").orElseThrow();
        Instant lastTick = Instant.parse("2026-01-05T10:00:30Z");
        assertThat(cron.lastMessage()).contains(lastTick);
        assertThat(cron.source("cron.ticks").orElseThrow().lastEmit()).contains(lastTick);
        assertThat(cron.source("cron.ticks").orElseThrow().counter("ticks")).isEqualTo(3);
    }
}
