package io.pipeline.testing.operating;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.HealthStatus;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerMetrics;
import io.pipeline.core.ManagerState;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.ProcessorMetrics;
import io.pipeline.core.Source;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.SseSource;
import io.pipeline.sources.WebSocketSource;
import io.pipeline.testing.RecordingErrorReporter;
import io.pipeline.testing.ScriptedSseServer;
import io.pipeline.testing.ScriptedWebSocketPeer;
import io.pipeline.testing.SseStream;
import io.pipeline.testing.VirtualTime;
import io.pipeline.testing.WebSocketScript;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A dropped stream that the source reconnects is a failure it recovers from by itself: with nobody listening to
 * {@code ERROR}, it is a dead event, counted, and never fails the manager — the README's promise for the streaming
 * sources, as {@code RestSourceFlowTest} shows it for failed polls.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecoveredStreamFailuresTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration RECONNECT_WITH_JITTER = Duration.ofSeconds(2);

    private final VirtualTime time = VirtualTime.create();
    private final RecordingErrorReporter errors = new RecordingErrorReporter();
    private Flow flow;

    /** A manager named {@code feed} whose one source, {@code feed.source}, nobody listens to. */
    static final class FeedManager extends Manager {
        FeedManager(MessageHandler handler, BiFunction<String, MessageHandler, Source> source) {
            super("feed", handler);
            setSource(source.apply(processorName("source"), handler));
        }
    }

    @AfterEach
    void closeFlow() {
        if (flow != null) {
            flow.close();
        }
    }

    private void start(BiFunction<String, MessageHandler, Source> source) {
        flow = Flow.builder()
                .name("streams")
                .handler(new SyncDispatcher())
                .manager(handler -> new FeedManager(handler, source))
                .errorReporter(errors)
                .clock(time)
                .scheduler(time)
                .build();
        flow.start();
    }

    @Test
    void sseSource_droppedStream_noErrorListener_reconnects_managerNeverFails_andTheFailureIsCounted()
            throws Exception {
        try (ScriptedSseServer server = ScriptedSseServer.start()) {
            server.stream().data("a").drop();
            SseStream second = server.stream().data("b");
            start((name, handler) -> new SseSource(name, handler, server.url("/events"), SseSource.Options.defaults()
                    .withReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                    .withScheduler(time)
                    .withClock(time)
                    .withRandom(new Random(1))));

            time.awaitTaskDueWithin(RECONNECT_WITH_JITTER, WAIT); // the loss was handled: a reconnect is planned
            time.advance(RECONNECT_WITH_JITTER);
            second.awaitOpen(WAIT);

            assertRecovered();
        }
    }

    @Test
    void webSocketSource_closedByServer_noErrorListener_reconnects_managerNeverFails_andTheFailureIsCounted()
            throws Exception {
        try (ScriptedWebSocketPeer peer = ScriptedWebSocketPeer.start()) {
            peer.connection().send("{}").close(1001, "going away");
            WebSocketScript second = peer.connection().send("{}");
            start((name, handler) -> new WebSocketSource(name, handler, peer.url("/feed"),
                    WebSocketSource.Options.defaults()
                            .withReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                            .withScheduler(time)
                            .withClock(time)
                            .withRandom(new Random(1))));

            time.awaitTaskDueWithin(RECONNECT_WITH_JITTER, WAIT); // the reconnect, not the watchdog 30 s away
            time.advanceToNext();
            second.awaitOpen(WAIT);

            assertRecovered();
        }
    }

    private void assertRecovered() {
        ManagerMetrics feed = flow.metrics().manager("feed").orElseThrow();
        ProcessorMetrics source = feed.processor("feed.source").orElseThrow();
        assertThat(errors.errors()).as("nothing reported to the flow's ErrorReporter").isEmpty();
        assertThat(feed.state()).isEqualTo(ManagerState.RUNNING);
        assertThat(feed.restarts()).isZero();
        assertThat(feed.lastError()).isEmpty();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
        assertThat(source.event("error").orElseThrow().deadEvents()).as("emitted as ERROR, unheard").isEqualTo(1);
        assertThat(feed.source("feed.source").orElseThrow().counter("reconnects")).isEqualTo(1);
    }
}
