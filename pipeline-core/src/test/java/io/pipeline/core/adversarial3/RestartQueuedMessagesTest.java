package io.pipeline.core.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.EventMetrics;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A manager that fails while messages of its sources still wait in an {@link AsyncDispatcher}'s queue: the flow
 * retires it in order — its listeners stay until the queue has delivered what it had accepted for them — so every
 * queued message reaches the listener that was registered when it was accepted, and none is a dead event.
 */
class RestartQueuedMessagesTest {
    @Test
    void managerFailingWithMessagesQueued_everyQueuedMessageIsDeliveredOrCountedDead() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> heard = new CopyOnWriteArrayList<>();
        List<Feed> feeds = new CopyOnWriteArrayList<>();
        RecordingErrorReporter reporter = new RecordingErrorReporter();
        try (Flow flow = Flow.builder().handler(new AsyncDispatcher()).errorReporter(reporter)
                .restartPolicy(RestartPolicy.backoff(Duration.ofHours(1), Duration.ofHours(1)))
                .manager(h -> new Manager("m", h) {
                    {
                        Feed feed = new Feed(processorName("feed"), h);
                        feed.on(Feed.DATA, d -> {
                            if (d.equals("hold")) {
                                entered.countDown();
                                release.await(10, TimeUnit.SECONDS);
                            }
                            heard.add(d);
                        });
                        feeds.add(feed);
                        setSource(feed);
                    }
                }).build()) {
            flow.start();
            Feed feed = feeds.get(0);
            feed.send("hold");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 4; i++) {
                feed.send("queued " + i);
            }
            feed.crash(new IllegalStateException("gone"));
            assertThat(reporter.await(1)).isTrue(); // stopped, listeners removed, reported
            release.countDown();
            flow.close(); // drains the queue

            EventMetrics data = flow.metrics().manager("m").orElseThrow().processor("m.feed").orElseThrow()
                    .event("data").orElseThrow();
            assertThat(data.emitted()).isEqualTo(5);
            assertThat(data.delivered() + data.deadEvents() + flow.metrics().dispatcher().dropped())
                    .as("every emitted message delivered or counted; heard %s", heard).isEqualTo(5);
            assertThat(heard).containsExactly("hold", "queued 0", "queued 1", "queued 2", "queued 3");
            assertThat(data.deadEvents()).isZero();
            assertThat(flow.handler().deadEvents()).isZero();
        }
    }
}
