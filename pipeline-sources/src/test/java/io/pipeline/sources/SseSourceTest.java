package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import io.pipeline.testing.EventLog;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.ScriptedSseServer;
import io.pipeline.testing.VirtualTime;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SseSource against the scripted SSE server, its reconnects planned on a {@link VirtualTime}. */
class SseSourceTest {
    private static final Duration FAST = Duration.ofMillis(1);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScriptedSseServer server = ScriptedSseServer.start();
    private final SyncDispatcher handler = new SyncDispatcher();
    private final EventLog log = new EventLog();
    private final List<SseSource> sources = new ArrayList<>();
    private final VirtualTime time = VirtualTime.create();

    @AfterEach
    void tearDown() throws InterruptedException {
        for (SseSource source : sources) {
            source.stop();
            assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
        }
        handler.close();
        server.close();
    }

    /**
     * Waits for the reconnect the source plans on an OkHttp thread after a disconnect, and lets it happen.
     *
     * @return the reconnect's delay
     */
    private Duration reconnect() throws InterruptedException {
        time.awaitPending(1, WAIT);
        Duration delay = time.nextDelay().orElseThrow();
        time.advance(delay);
        return delay;
    }

    @Test
    void events_areParsedIntoIdTypeAndData() throws Exception {
        server.stream().raw("id: 1\nevent: tick\ndata: a\ndata: b\n\n: a comment\ndata: plain\n\nid: 2\ndata: {}\n\n")
                .end();
        server.stream();
        SseSource source = source(fastOptions());

        source.start();

        assertThat(log.next(4, WAIT)).containsExactly(
                "connected " + source.url(),
                "message Message[id=1, type=tick, data=a\nb]",
                "message Message[id=1, type=message, data=plain]",
                "message Message[id=2, type=message, data={}]");
        assertThat(source.lastEventId()).contains("2");
    }

    @Test
    void event_withoutAnyId_hasNullId() throws Exception {
        server.stream().data("x");
        SseSource source = source(fastOptions());

        source.start();

        assertThat(log.next(2, WAIT)).last().isEqualTo("message Message[id=null, type=message, data=x]");
        assertThat(source.lastEventId()).isEmpty();
    }

    @Test
    void streamEnd_reconnectsWithLastEventId() throws Exception {
        server.stream().raw("id: 41\ndata: a\n\nid: 42\ndata: b\n\n").end();
        server.stream().data("resumed");
        SseSource source = source(fastOptions().withHeader("Authorization", "Bearer t"));

        source.start();

        List<String> events = log.next(5, WAIT);
        assertThat(events.get(3)).startsWith("error stream ended by server");
        assertThat(events.get(4)).startsWith("disconnected stream ended by server");
        reconnect();
        assertThat(log.next(WAIT)).isEqualTo("connected " + source.url());
        // the last event id carries over to events of the next connection, as a browser's lastEventId does
        assertThat(log.next(WAIT)).isEqualTo("message Message[id=42, type=message, data=resumed]");
        RecordedRequest first = server.awaitConnection(1, WAIT);
        RecordedRequest second = server.awaitConnection(2, WAIT);
        assertThat(first.getHeaders().get("Last-Event-ID")).isNull();
        assertThat(first.getHeaders().get("Accept")).isEqualTo("text/event-stream");
        assertThat(second.getHeaders().get("Last-Event-ID")).isEqualTo("42");
        assertThat(second.getHeaders().get("Authorization")).isEqualTo("Bearer t");
        assertThat(source.lastEventId()).contains("42");
    }

    @Test
    void retryField_setsTheReconnectDelay() throws Exception {
        server.stream().raw("retry: 250\nid: 1\ndata: a\n\n").end();
        server.stream().data("b");
        SseSource source = source(fastOptions().withReconnectBackoff(Duration.ofSeconds(5), Duration.ofSeconds(10)));

        source.start();

        assertThat(log.next(4, WAIT)).last().asString().startsWith("disconnected stream ended");
        assertThat(reconnect()).isEqualTo(Duration.ofMillis(250));
        assertThat(source.serverRetry()).contains(Duration.ofMillis(250));
        assertThat(log.next(2, WAIT)).containsExactly("connected " + source.url(),
                "message Message[id=1, type=message, data=b]");
    }

    @Test
    void withoutRetryField_reconnectDelayIsTheJitteredBackoff() throws Exception {
        server.stream().data("a").end();
        server.stream();
        SseSource source = source(fastOptions()
                .withReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)));

        source.start();

        time.awaitPending(1, WAIT);
        assertThat(time.nextDelay()).hasValueSatisfying(delay ->
                assertThat(delay).isBetween(Duration.ofMillis(80), Duration.ofMillis(120)));
        assertThat(source.serverRetry()).isEmpty();
    }

    @Test
    void retryDelay_doublesForFailuresInARow_upToTheLargerOfRetryAndMax() throws Exception {
        server.stream().retry(Duration.ofMillis(100)).end();
        server.stream();
        SseSource source = source(fastOptions().withReconnectBackoff(FAST, Duration.ofMillis(300)));
        source.start();
        time.awaitPending(1, WAIT);

        assertThat(source.reconnectDelay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(source.reconnectDelay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(source.reconnectDelay(3)).isEqualTo(Duration.ofMillis(300));
        assertThat(source.reconnectDelay(9)).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void non2xx_emitsErrorAndCounts_untilThresholdFailsTheFuture() throws Exception {
        server.reply(busy()).reply(busy()).reply(busy()); // a fourth connection would be answered 404, and counted
        SseSource source = new SseSource("feed", handler, server.url("/events?access_token=s3cr3t"),
                fastOptions().withExceptionThreshold(3));
        sources.add(source);
        record(source);

        CompletableFuture<Void> done = source.start();
        reconnect();
        reconnect();

        assertThatThrownBy(() -> done.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessageContaining("SseSource 'feed' disconnected too many times, stopped")
                .hasMessageContaining("/events?access_token=REDACTED")
                .hasMessageNotContaining("s3cr3t")
                .cause()
                .hasMessageContaining("HTTP 503");
        List<String> events = log.rest();
        assertThat(events).filteredOn(e -> e.startsWith("error HTTP 503")).hasSize(3);
        assertThat(events).noneMatch(e -> e.startsWith("uncaught") || e.startsWith("message"));
        assertThat(events).filteredOn(e -> e.startsWith("disconnected HTTP 503")).hasSize(3);
        assertThat(server.connectionCount()).isEqualTo(3);
        assertThat(time.pending()).isZero();
    }

    private static HttpReply busy() {
        return HttpReply.of(new MockResponse.Builder().code(503).body("busy").build());
    }

    @Test
    void wrongContentType_isAnErrorAndCounted() throws Exception {
        server.stream("text/plain").data("x");
        server.stream().data("ok");
        SseSource source = source(fastOptions());

        source.start();

        List<String> events = log.next(2, WAIT);
        assertThat(events.get(0)).startsWith("error Invalid content-type: text/plain");
        assertThat(events.get(1)).startsWith("disconnected Invalid content-type");
        reconnect();
        assertThat(log.next(2, WAIT)).containsExactly("connected " + source.url(),
                "message Message[id=null, type=message, data=ok]");
    }

    @Test
    void receivedEvent_resetsFailureCount() throws Exception {
        for (int i = 0; i < 3; i++) {
            server.stream().data(String.valueOf(i)).end();
        }
        server.reject(500);
        SseSource source = source(fastOptions().withExceptionThreshold(2));

        CompletableFuture<Void> done = source.start();
        for (int i = 0; i < 3; i++) {
            reconnect();
        }

        assertThatThrownBy(() -> done.get(5, TimeUnit.SECONDS)).hasMessageContaining("disconnected too many times");
        List<String> events = log.rest();
        assertThat(events).filteredOn(e -> e.startsWith("message")).hasSize(3);
        // Without the reset, the second stream end would have been the second failure in a row.
        assertThat(events).filteredOn(e -> e.startsWith("disconnected")).hasSize(4);
        assertThat(server.connectionCount()).isEqualTo(4);
    }

    @Test
    void silentStream_beyondReadTimeout_reconnects() throws Exception {
        server.stream().raw("id: 5\ndata: a\n\n");
        server.stream().data("b");
        SseSource source = source(fastOptions().withReadTimeout(Duration.ofMillis(300)));

        source.start();

        assertThat(log.next(2, WAIT)).last().isEqualTo("message Message[id=5, type=message, data=a]");
        assertThat(log.next(WAIT)).startsWith("error ").containsIgnoringCase("time");
        assertThat(log.next(WAIT)).startsWith("disconnected connection lost: ").contains("SocketTimeoutException");
        reconnect();
        assertThat(log.next(WAIT)).isEqualTo("connected " + source.url());
        assertThat(log.next(WAIT)).isEqualTo("message Message[id=5, type=message, data=b]");
        assertThat(server.awaitConnection(2, WAIT).getHeaders().get("Last-Event-ID")).isEqualTo("5");
    }

    @Test
    void stop_cancelsTheStream_completesNormally_andDoesNotReconnect() throws Exception {
        server.stream().data("a");
        server.stream().data("b");
        SseSource source = source(SseSource.Options.defaults().withReconnectBackoff(FAST, FAST));
        CompletableFuture<Void> done = source.start();
        assertThat(log.next(2, WAIT)).last().isEqualTo("message Message[id=null, type=message, data=a]");

        source.stop();
        source.stop(); // idempotent

        assertThat(done.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(source.client().dispatcher().executorService().awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(log.rest()).isEmpty();
    }

    @Test
    void start_twice_throws() {
        server.stream();
        SseSource source = source(fastOptions());
        source.start();

        assertThatThrownBy(source::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
    }

    @Test
    void message_requiresTypeAndData() {
        assertThatThrownBy(() -> new SseSource.Message("1", null, "d")).hasMessage("type");
        assertThatThrownBy(() -> new SseSource.Message("1", "t", null)).hasMessage("data");
        assertThat(new SseSource.Message(null, "t", "d").hasId()).isFalse();
    }

    private SseSource.Options fastOptions() {
        return SseSource.Options.defaults().withReconnectBackoff(FAST, Duration.ofMillis(5)).withScheduler(time);
    }

    private SseSource source(SseSource.Options options) {
        SseSource source = new SseSource("feed", handler, server.url("/events"), options);
        sources.add(source);
        record(source);
        return source;
    }

    private void record(SseSource source) {
        log.recordStream(source, SseSource.CONNECTED, SseSource.MESSAGE, SseSource.DISCONNECTED);
    }
}
