package io.pipeline.core.adversarial5;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerState;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.Processor;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.core.adversarial3.Feed;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A flow on a {@link SyncDispatcher} that rebuilds its manager a thousand times, in virtual time: every build's
 * processors emit through the direct rung — a feed of one event (its topic keeps its copy of the listener), a relay
 * of two (it gives its copy up) — and the topics, which outlive the builds, keep none of the replaced processors
 * alive; the current build is still wired.
 */
class RestartReleaseTest {
    private static final int RESTARTS = 1_000;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RecordingErrorReporter reporter = new RecordingErrorReporter();
    private final AtomicReference<Feed> feed = new AtomicReference<>();
    private final AtomicReference<Node> relay = new AtomicReference<>();
    private final AtomicLong heard = new AtomicLong();
    private Flow flow;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
    }

    @Test
    void thousandRestarts_replacedProcessorsThatEmittedDirectly_areNotKeptAlive() {
        flow = Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler).errorReporter(reporter)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                        .withRandomFactor(0))
                .manager(h -> new Manager("m", h) {
                    {
                        Feed source = new Feed(processorName("feed"), h);
                        Node relay = new Node(processorName("relay"), h);
                        source.on(Feed.DATA, d -> {
                            relay.emit(Node.A, d);
                            relay.emit(Node.B, d);
                        });
                        relay.on(Node.A, s -> heard.incrementAndGet());
                        relay.on(Node.B, s -> heard.incrementAndGet());
                        feed.set(source);
                        RestartReleaseTest.this.relay.set(relay);
                        setSource(source);
                    }
                }).build();
        flow.start();
        List<WeakReference<Processor>> replaced = new ArrayList<>();

        for (int build = 0; build < RESTARTS; build++) {
            Feed current = feed.get();
            for (int i = 0; i < 3; i++) {
                current.send("m" + i);
            }
            replaced.add(new WeakReference<>(current));
            replaced.add(new WeakReference<>(relay.get()));
            current.finish(); // finished normally: rebuilt after the first wait
            scheduler.runReady();
            scheduler.advance(Duration.ofSeconds(1));
            assertThat(feed.get()).as("build %d replaced", build).isNotSameAs(current);
        }
        assertThat(heard).hasValue(RESTARTS * 3L * 2);
        assertThat(flow.status("m").orElseThrow().state()).isEqualTo(ManagerState.RUNNING);

        long alive = replaced.size();
        for (int i = 0; i < 50 && alive > 0; i++) {
            System.gc();
            alive = replaced.stream().filter(ref -> ref.get() != null).count();
        }

        assertThat(alive).as("replaced feeds and relays still reachable").isZero();
        feed.get().send("current");
        assertThat(heard).hasValue(RESTARTS * 3L * 2 + 2);
    }
}
