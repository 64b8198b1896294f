package io.pipeline.testing.operating;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.Source;
import io.pipeline.core.SourceMetrics;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.SseSource;
import io.pipeline.sources.WebSocketSource;
import io.pipeline.testing.EventLog;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.ScriptedHttpEndpoint;
import io.pipeline.testing.ScriptedSseServer;
import io.pipeline.testing.ScriptedWebSocketPeer;
import io.pipeline.testing.VirtualTime;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connectors' own counters, driven by real loopback servers and read where an operator reads them: in
 * {@link Flow#metrics()}. Reconnects and polls are planned in virtual time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectorCountersTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration RECONNECT_WITH_JITTER = Duration.ofSeconds(2);

    private final VirtualTime time = VirtualTime.create();
    private final EventLog log = new EventLog();
    private Flow flow;

    /** A manager named {@code feed} whose one source, {@code feed.source}, the test builds. */
    static final class FeedManager extends Manager {
        FeedManager(MessageHandler handler, BiFunction<String, MessageHandler, Source> source, EventLog log) {
            super("feed", handler);
            Source built = source.apply(processorName("source"), handler);
            log.record(built, Processor.ERROR, error -> "");
            if (built instanceof SseSource sse) {
                log.record(sse, SseSource.CONNECTED, url -> "").record(sse, SseSource.MESSAGE, m -> m.data());
            } else if (built instanceof WebSocketSource ws) {
                log.record(ws, WebSocketSource.CONNECTED, url -> "")
                        .record(ws, WebSocketSource.MESSAGE, Object::toString);
            }
            setSource(built);
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
                .name("counters")
                .handler(new SyncDispatcher())
                .manager(handler -> new FeedManager(handler, source, log))
                .clock(time)
                .scheduler(time)
                .build();
        flow.start();
    }

    private SourceMetrics source() {
        return flow.metrics().manager("feed").orElseThrow().source("feed.source").orElseThrow();
    }

    @Test
    void restSource_countsPollsSuccessesFailuresAndNotModified() {
        try (ScriptedHttpEndpoint endpoint = ScriptedHttpEndpoint.start()) {
            endpoint.reply(HttpReply.jsonWithEtag("{\"n\":1}", "\"v1\""), HttpReply.notModified(),
                    HttpReply.status(500), HttpReply.json("{\"n\":2}"), HttpReply.malformed());
            start((name, handler) -> new RestSource(name, handler, endpoint.url("/q"), RestSource.Options.defaults()
                    .withRequestInterval(Duration.ofSeconds(10))
                    .withClient(endpoint.client(time))
                    .withClock(time)
                    .withScheduler(time)));

            time.advance(Duration.ofSeconds(45)); // polls at 0, 10, 20, 30 and 40 s

            SourceMetrics source = source();
            assertThat(endpoint.requestCount()).isEqualTo(5);
            assertThat(source.counter(RestSource.POLLS)).isEqualTo(5);
            assertThat(source.counter(RestSource.SUCCESSES)).isEqualTo(2);
            assertThat(source.counter(RestSource.NOT_MODIFIED)).isEqualTo(1);
            assertThat(source.counter(RestSource.FAILURES)).isEqualTo(2); // the 500 and the malformed body
            assertThat(source.expectedInterval()).contains(Duration.ofSeconds(10));
            assertThat(log.entries()).containsExactly("error ", "error ");
        }
    }

    @Test
    void sseSource_countsConnectsReconnectsMessagesAndBytes() throws Exception {
        try (ScriptedSseServer server = ScriptedSseServer.start()) {
            server.stream().event("1", "tick", "héllo").data("ab").drop();
            server.stream().data("x");
            start((name, handler) -> new SseSource(name, handler, server.url("/events"), SseSource.Options.defaults()
                    .withReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                    .withExpectedInterval(Duration.ofMinutes(1))
                    .withScheduler(time)
                    .withClock(time)
                    .withRandom(new Random(1))));

            assertThat(log.await(4, WAIT)).containsExactly("connected ", "message héllo", "message ab", "error ");
            assertThat(source().counter(SseSource.RECONNECTS)).isZero();
            time.awaitPending(2, WAIT); // the flow's stall check (the source declares an interval) and the reconnect
            time.advance(RECONNECT_WITH_JITTER);
            assertThat(log.await(6, WAIT).subList(4, 6)).containsExactly("connected ", "message x");

            SourceMetrics source = source();
            assertThat(source.counter(SseSource.CONNECTS)).isEqualTo(2);
            assertThat(source.counter(SseSource.RECONNECTS)).isEqualTo(1);
            assertThat(source.counter(SseSource.MESSAGES)).isEqualTo(3);
            assertThat(source.counter(SseSource.BYTES)).isEqualTo("héllo".getBytes(UTF_8).length + 2 + 1);
            assertThat(source.expectedInterval()).contains(Duration.ofMinutes(1));
        }
    }

    @Test
    void webSocketSource_countsConnectsReconnectsMessagesAndBytes() throws Exception {
        try (ScriptedWebSocketPeer peer = ScriptedWebSocketPeer.start()) {
            peer.connection().send("{\"n\":1}").sendBinary("{\"é\":2}").close(1001, "going away");
            peer.connection().send("{}");
            start((name, handler) -> new WebSocketSource(name, handler, peer.url("/feed"),
                    WebSocketSource.Options.defaults()
                            .withHeartbeatTimeout(Duration.ofSeconds(30))
                            .withReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                            .withScheduler(time)
                            .withClock(time)
                            .withRandom(new Random(7))));

            assertThat(log.await(4, WAIT))
                    .containsExactly("connected ", "message {\"n\":1}", "message {\"é\":2}", "error ");
            time.awaitTaskDueWithin(RECONNECT_WITH_JITTER, WAIT); // the reconnect, not the watchdog 30 s away
            time.advanceToNext();
            assertThat(log.await(6, WAIT).subList(4, 6)).containsExactly("connected ", "message {}");

            SourceMetrics source = source();
            assertThat(source.counter(WebSocketSource.CONNECTS)).isEqualTo(2);
            assertThat(source.counter(WebSocketSource.RECONNECTS)).isEqualTo(1);
            assertThat(source.counter(WebSocketSource.MESSAGES)).isEqualTo(3);
            assertThat(source.counter(WebSocketSource.BYTES))
                    .isEqualTo("{\"n\":1}".length() + "{\"é\":2}".getBytes(UTF_8).length + 2);
            assertThat(source.expectedInterval()).as("none by default").isEmpty();
        }
    }
}
