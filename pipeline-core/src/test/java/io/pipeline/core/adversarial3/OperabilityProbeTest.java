package io.pipeline.core.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.HealthStatus;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerMetrics;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OperabilityProbeTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final RecordingErrorReporter reporter = new RecordingErrorReporter();
    final List<Feed> feeds = new CopyOnWriteArrayList<>();
    Flow flow;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
    }

    final class Watched extends Manager {
        Watched(MessageHandler handler, Duration interval) {
            super("watched", handler);
            Feed feed = new Feed(processorName("feed"), handler, interval);
            feed.on(Feed.DATA, d -> { });
            feeds.add(feed);
            setSource(feed);
        }
    }

    Flow.Builder builder(RestartPolicy policy, Duration interval) {
        return Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler).errorReporter(reporter)
                .restartPolicy(policy).manager(handler -> new Watched(handler, interval));
    }

    @Test
    void lastStart_isKept_whileTheManagerWaitsToRestart_andAfterItWasGivenUpOn() {
        flow = builder(RestartPolicy.backoff(Duration.ofSeconds(5), Duration.ofMinutes(1)).withRandomFactor(0)
                .withMaxRestarts(1, Duration.ofHours(1)), null).build();
        Instant started = clock.instant();
        flow.start();
        clock.advance(Duration.ofSeconds(3));
        feeds.get(0).crash(new IllegalStateException("first"));
        scheduler.runReady();

        ManagerMetrics restarting = flow.metrics().manager("watched").orElseThrow();
        assertThat(restarting.state()).isEqualTo(ManagerState.RESTARTING);
        assertThat(restarting.lastStart()).contains(started);

        scheduler.advance(Duration.ofSeconds(5));
        Instant restarted = clock.instant();
        feeds.get(1).crash(new IllegalStateException("second"));
        scheduler.runReady();

        ManagerMetrics failed = flow.metrics().manager("watched").orElseThrow();
        assertThat(failed.state()).isEqualTo(ManagerState.FAILED);
        assertThat(failed.lastStart()).contains(restarted);
    }

    @Test
    void stall_clearsAsSoonAsTheSourceEmitsAgain() {
        flow = builder(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)), Duration.ofSeconds(10))
                .build();
        flow.start();
        scheduler.advance(Duration.ofSeconds(31));
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DEGRADED);

        feeds.get(0).send("back");

        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
        assertThat(flow.metrics().manager("watched").orElseThrow().source("watched.feed").orElseThrow().stalled())
                .isFalse();
    }
}
