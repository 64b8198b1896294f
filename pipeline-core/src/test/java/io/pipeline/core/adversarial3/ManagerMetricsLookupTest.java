package io.pipeline.core.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerMetrics;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Flow#managerMetrics(String)} gives what {@code metrics().manager(name)} gives, also across a rename. */
class ManagerMetricsLookupTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final List<Feed> feeds = new CopyOnWriteArrayList<>();
    final AtomicInteger builds = new AtomicInteger();
    Flow flow;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
    }

    @Test
    void managerMetrics_equalsTheSnapshotsManager_beforeAndAfterARenamingRestart() {
        flow = Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler)
                .errorReporter(new RecordingErrorReporter())
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)).withRandomFactor(0))
                .manager(h -> new Manager("other", h) {
                    {
                        setSource(new Feed(processorName("source"), h));
                    }
                })
                .manager(h -> new Manager(builds.incrementAndGet() == 1 ? "first" : "second", h) {
                    {
                        Feed feed = new Feed(processorName("source"), h);
                        feed.on(Feed.DATA, d -> { });
                        feeds.add(feed);
                        setSource(feed);
                    }
                }).build();
        flow.start();
        feeds.get(0).send("a");

        assertThat(flow.managerMetrics("first")).isEqualTo(flow.metrics().manager("first"));
        assertThat(flow.managerMetrics("first").orElseThrow().processor("first.source").orElseThrow().emitted())
                .isEqualTo(1);
        assertThat(flow.managerMetrics("nobody")).isEmpty();

        feeds.get(0).crash(new IllegalStateException("rename me"));
        scheduler.advance(Duration.ofSeconds(1));

        assertThat(flow.managerMetrics("first")).isEmpty();
        ManagerMetrics second = flow.managerMetrics("second").orElseThrow();
        assertThat(second).isEqualTo(flow.metrics().manager("second").orElseThrow());
        assertThat(second.restarts()).isEqualTo(1);
        assertThat(flow.managerMetrics("other")).isEqualTo(flow.metrics().manager("other"));
    }
}
