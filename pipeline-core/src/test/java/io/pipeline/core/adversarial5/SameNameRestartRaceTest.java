package io.pipeline.core.adversarial5;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.core.adversarial3.Feed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Processors of one name share their topics: a restarted manager's new processor beside its old ones, which are
 * still emitting on their own threads (one of one event, one of two) while the flow rebuilds the manager again and
 * again. Every emit is heard exactly once by a listener of its own event — of whichever build was wired when it
 * ran — or, when it fell between two builds' listeners, counted as a dead event; none is heard twice or by another
 * event's listener.
 */
class SameNameRestartRaceTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RecordingErrorReporter reporter = new RecordingErrorReporter();
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final List<Feed> feeds = new CopyOnWriteArrayList<>();
    private final AtomicLong heard = new AtomicLong();
    private final AtomicLong crossed = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService threads = Executors.newFixedThreadPool(2);
    private Flow flow;

    @AfterEach
    void close() throws InterruptedException {
        stop.set(true);
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        if (flow != null) {
            flow.close();
        }
    }

    /** Emits until {@link #stop}; returns {found, dead}: how many emits returned true, how many false. */
    private Future<long[]> emitting(Node node, boolean twoEvents, CountDownLatch running) {
        return threads.submit(() -> {
            long found = 0;
            long dead = 0;
            for (long i = 0; !stop.get(); i++) {
                var event = twoEvents && (i & 1) == 1 ? Node.B : Node.A;
                if (node.emit(event, event.name())) {
                    found++;
                } else {
                    dead++;
                }
                if (i == 10_000) {
                    running.countDown();
                }
            }
            return new long[] {found, dead};
        });
    }

    @Test
    void oldProcessorsStillEmittingWhileTheManagerIsRebuilt_everyEmitHeardOnceByItsOwnEventOrCountedDead()
            throws Exception {
        SyncDispatcher handler = new SyncDispatcher();
        flow = Flow.builder().handler(handler).clock(clock).scheduler(scheduler).errorReporter(reporter)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                        .withRandomFactor(0))
                .manager(h -> new Manager("m", h) {
                    {
                        Node node = new Node(processorName("node"), h);
                        node.on(Node.A, s -> (s.equals("a") ? heard : crossed).incrementAndGet());
                        node.on(Node.B, s -> (s.equals("b") ? heard : crossed).incrementAndGet());
                        nodes.add(node);
                        Feed feed = new Feed(processorName("feed"), h);
                        feeds.add(feed);
                        setSource(feed);
                    }
                }).build();
        flow.start();
        CountDownLatch running = new CountDownLatch(2);
        Future<long[]> adopted = emitting(nodes.get(0), false, running);
        rebuild();
        Future<long[]> disowned = emitting(nodes.get(1), true, running);
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

        for (int build = 0; build < 200; build++) {
            rebuild();
            nodes.get(nodes.size() - 1).emit(build % 2 == 0 ? Node.A : Node.B, build % 2 == 0 ? "a" : "b");
        }
        stop.set(true);
        long[] one = adopted.get(30, TimeUnit.SECONDS);
        long[] two = disowned.get(30, TimeUnit.SECONDS);

        assertThat(crossed).hasValue(0);
        long emits = one[0] + one[1] + two[0] + two[1] + 200;
        assertThat(heard.get() + handler.deadEvents()).as("every emit heard once or counted dead").isEqualTo(emits);
        assertThat(heard.get()).as("at least the emits that found a listener and were delivered directly")
                .isGreaterThanOrEqualTo(200);
        assertThat(handler.deadEvents()).as("at most the emits that returned false, and those that found the "
                + "listeners gone when delivered").isGreaterThanOrEqualTo(one[1] + two[1]);
        assertThat(nodes).hasSize(202);
    }

    private void rebuild() {
        Feed current = feeds.get(feeds.size() - 1);
        current.finish();
        scheduler.runReady();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(feeds.get(feeds.size() - 1)).isNotSameAs(current);
    }
}
