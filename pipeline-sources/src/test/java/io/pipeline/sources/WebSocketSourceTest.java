package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import io.pipeline.testing.EventLog;
import io.pipeline.testing.ScriptedWebSocketPeer;
import io.pipeline.testing.WebSocketScript;
import java.io.IOException;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import okhttp3.WebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebSocketSourceTest {
    private static final Duration FAST = Duration.ofMillis(1);

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScriptedWebSocketPeer server = ScriptedWebSocketPeer.start();
    private final SyncDispatcher handler = new SyncDispatcher();
    private final EventLog log = new EventLog();
    private final List<WebSocketSource> sources = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        for (WebSocketSource source : sources) {
            source.stop();
            assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
        }
        handler.close();
        server.close();
    }

    @Test
    void messages_arriveInOrderReceived() throws Exception {
        int count = 200;
        WebSocketScript socket = server.connection();
        for (int i = 0; i < count; i++) {
            socket.send("{\"n\":" + i + "}");
        }
        List<Integer> seen = new ArrayList<>();
        CountDownLatch all = new CountDownLatch(count);
        WebSocketSource source = source(fastOptions());
        source.on(WebSocketSource.MESSAGE, node -> {
            seen.add(node.get("n").intValue());
            all.countDown();
        });

        source.start();

        assertThat(all.await(5, TimeUnit.SECONDS)).isTrue();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(i);
        }
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void onConnect_sendsSubscriptionTheServerReceives() throws Exception {
        server.connection();
        WebSocketSource source = new WebSocketSource("subscriber", handler, server.url("/feed"), fastOptions()) {
            @Override
            protected void onConnect(WebSocket socket) {
                socket.send("{\"subscribe\":\"AAPL\"}");
            }
        };
        sources.add(source);
        record(source);

        source.start();

        assertThat(server.awaitReceived(1, WAIT)).containsExactly("{\"subscribe\":\"AAPL\"}");
        assertThat(log.next(WAIT)).isEqualTo("connected " + source.url());
    }

    @Test
    void send_whileConnected_reachesServer_andReturnsFalseAfterStop() throws Exception {
        server.connection();
        WebSocketSource source = source(fastOptions());

        source.start();
        assertThat(log.next(WAIT)).startsWith("connected");

        assertThat(source.send("hello")).isTrue();
        assertThat(server.awaitReceived(1, WAIT)).containsExactly("hello");
        source.stop();
        assertThat(source.send("late")).isFalse();
    }

    @Test
    void serverClose_emitsDisconnected_thenReconnects() throws Exception {
        server.connection().close(1001, "going away");
        server.connection().send("{\"second\":true}");
        WebSocketSource source = source(fastOptions());

        source.start();

        String url = source.url();
        assertThat(log.next(5, WAIT)).containsExactly(
                "connected " + url,
                "error closed by server: code 1001, reason 'going away' (" + url + ")",
                "disconnected closed by server: code 1001, reason 'going away'",
                "connected " + url,
                "message {\"second\":true}");
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void heartbeatTimeout_silentServer_disconnectsAndReconnects() throws Exception {
        server.connection(); // never sends anything
        server.connection().send("{\"alive\":true}");
        WebSocketSource source = source(fastOptions().withHeartbeatTimeout(Duration.ofMillis(300)));

        source.start();

        List<String> events = log.next(5, WAIT);
        assertThat(events.get(0)).isEqualTo("connected " + source.url());
        assertThat(events.get(1)).startsWith("error no message for ").contains("heartbeatTimeout 300 ms");
        assertThat(events.get(2)).startsWith("disconnected no message for ").contains("heartbeatTimeout 300 ms");
        assertThat(events.subList(3, 5)).containsExactly("connected " + source.url(), "message {\"alive\":true}");
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void refusedUpgrades_reachThreshold_failFutureNamingRedactedUrl() throws Exception {
        server.reject(500).reject(500).reject(500); // a fourth connection would be refused with 404, and counted
        WebSocketSource source = new WebSocketSource("feed", handler, server.url("/feed?token=s3cr3t"),
                fastOptions().withExceptionThreshold(3));
        sources.add(source);
        record(source);

        CompletableFuture<Void> done = source.start();

        assertThatThrownBy(() -> done.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessageContaining("disconnected too many times, stopped")
                .hasMessageContaining("/feed?token=REDACTED")
                .hasMessageNotContaining("s3cr3t")
                .hasCauseInstanceOf(ProtocolException.class);
        List<String> events = log.next(6, WAIT);
        assertThat(events).filteredOn(event -> event.startsWith("disconnected")).hasSize(3)
                .allSatisfy(event -> assertThat(event).startsWith("disconnected connect failed: ").contains("500"));
        assertThat(events).filteredOn(event -> event.startsWith("error")).hasSize(3)
                .allSatisfy(event -> assertThat(event).contains("500"));
        assertThat(log.rest()).isEmpty();
        assertThat(server.connectionCount()).isEqualTo(3);
    }

    @Test
    void handledMessage_resetsFailureCount() throws Exception {
        for (int i = 0; i < 3; i++) {
            server.connection().send("{\"n\":" + i + "}").close(1000, "bye");
        }
        server.reject(500);
        WebSocketSource source = source(fastOptions().withExceptionThreshold(2));

        CompletableFuture<Void> done = source.start();

        assertThatThrownBy(() -> done.get(5, TimeUnit.SECONDS)).hasMessageContaining("disconnected too many times");
        List<String> events = log.rest();
        assertThat(events).filteredOn(e -> e.startsWith("message")).hasSize(3);
        // Without the reset, the second close would have been the second failure in a row.
        assertThat(events).filteredOn(e -> e.startsWith("disconnected")).hasSize(4);
        assertThat(server.connectionCount()).isEqualTo(4);
    }

    @Test
    void oversizedFrame_emitsErrorWithSizeAndCap_connectionKept() throws Exception {
        String big = "{\"pad\":\"" + "x".repeat(100) + "\"}";
        server.connection().send(big).sendBinary(big).send("{\"ok\":1}");
        WebSocketSource source = source(fastOptions().withMaxFrameBytes(64));

        source.start();

        List<String> events = log.next(4, WAIT);
        assertThat(events.get(0)).startsWith("connected");
        assertThat(events.get(1)).startsWith("error").contains(big.length() + " bytes").contains("maxFrameBytes 64");
        assertThat(events.get(2)).startsWith("error").contains(big.length() + " bytes");
        assertThat(events.get(3)).isEqualTo("message {\"ok\":1}");
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void oversizedFrame_countsUtf8Bytes_notChars() throws Exception {
        String wide = "{\"s\":\"" + "é".repeat(30) + "\"}"; // 38 chars, 68 UTF-8 bytes
        server.connection().send(wide);
        WebSocketSource source = source(fastOptions().withMaxFrameBytes(64));

        source.start();

        assertThat(log.next(WAIT)).startsWith("connected");
        assertThat(log.next(WAIT)).startsWith("error").contains("68 bytes");
    }

    @Test
    void malformedJson_emitsError_connectionKept() throws Exception {
        server.connection().send("{not json").send("{} trailing").send("").send("{\"n\":1}");
        WebSocketSource source = source(fastOptions());

        source.start();

        List<String> events = log.next(5, WAIT);
        assertThat(events.get(0)).startsWith("connected");
        assertThat(events.subList(1, 4)).allSatisfy(e -> assertThat(e).startsWith("error malformed JSON message"));
        assertThat(events.get(4)).isEqualTo("message {\"n\":1}");
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void binaryMessage_isDecodedAsUtf8AndParsed() throws Exception {
        server.connection().sendBinary("{\"bin\":\"é\"}");
        WebSocketSource source = source(fastOptions());

        source.start();

        assertThat(log.next(2, WAIT)).containsExactly("connected " + source.url(), "message {\"bin\":\"é\"}");
    }

    @Test
    void onText_override_handlesNonJsonFormats() throws Exception {
        server.connection().send("price=42");
        List<String> texts = new ArrayList<>();
        CountDownLatch got = new CountDownLatch(1);
        WebSocketSource source = new WebSocketSource("text", handler, server.url("/feed"), fastOptions()) {
            @Override
            protected void onText(String text) {
                texts.add(text);
                got.countDown();
            }
        };
        sources.add(source);

        source.start();

        assertThat(got.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(texts).containsExactly("price=42");
    }

    @Test
    void stop_closesWith1000_completesNormally_andDoesNotReconnect() throws Exception {
        WebSocketScript first = server.connection();
        server.connection(); // a reconnect would be accepted
        WebSocketSource source = source(fastOptions());
        CompletableFuture<Void> done = source.start();
        assertThat(log.next(WAIT)).startsWith("connected");

        source.stop();
        source.stop(); // idempotent

        assertThat(done.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(first.awaitClientClose(WAIT)).isEqualTo(1000);
        assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
        assertThat(source.client().dispatcher().executorService().awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(log.rest()).isEmpty();
    }

    @Test
    void stop_leavesNoThreadOfTheSourceRunning() throws Exception {
        server.connection().send("{}");
        WebSocketSource source = source(fastOptions());
        source.start();
        assertThat(log.next(2, WAIT)).last().isEqualTo("message {}");
        Thread scheduler = threadNamed("pipeline-" + source.name() + "-websocket");
        assertThat(source.ownsClient()).isTrue();

        source.stop();

        scheduler.join(5_000);
        assertThat(scheduler.isAlive()).isFalse();
        // The client's dispatcher threads, which ran the socket's reader loop, end too.
        assertThat(source.client().dispatcher().executorService().awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void start_twice_throws() {
        server.connection();
        WebSocketSource source = source(fastOptions());
        source.start();

        assertThatThrownBy(source::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
    }

    @Test
    void url_isRedacted_andKeepsWsScheme() {
        WebSocketSource source = new WebSocketSource("s", handler, "wss://user:pw@example.com/ws?apiKey=abc&x=1",
                WebSocketSource.Options.defaults());

        assertThat(source.url()).startsWith("wss://example.com/ws?")
                .contains("apiKey=REDACTED").contains("x=1").doesNotContain("abc").doesNotContain("pw");
    }

    @Test
    void options_rejectBadValues_withTheValue() {
        WebSocketSource.Options options = WebSocketSource.Options.defaults();

        assertThatThrownBy(() -> options.withExceptionThreshold(0)).hasMessage("exceptionThreshold <= 0: 0");
        assertThatThrownBy(() -> options.withMaxFrameBytes(-1)).hasMessage("maxFrameBytes <= 0: -1");
        assertThatThrownBy(() -> options.withHeartbeatTimeout(Duration.ofSeconds(-1)))
                .hasMessage("heartbeatTimeout < 0: PT-1S");
        assertThatThrownBy(() -> options.withReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("PT1S").hasMessageContaining("PT2S");
        assertThat(options.withMaxFrameBytes(5).maxFrameBytes()).isEqualTo(5);
        assertThat(options.maxFrameBytes()).isEqualTo(1024 * 1024);
        assertThat(options.pingInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.exceptionThreshold()).isEqualTo(10);
    }

    @Test
    void headers_areSentWithTheUpgradeRequest() throws Exception {
        server.connection();
        WebSocketSource source = source(fastOptions().withHeader("Authorization", "Bearer t"));

        source.start();

        RecordedRequest request = server.awaitConnection(1, WAIT);
        assertThat(request).isNotNull();
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer t");
    }

    private static WebSocketSource.Options fastOptions() {
        return WebSocketSource.Options.defaults().withReconnectBackoff(FAST, Duration.ofMillis(5));
    }

    private WebSocketSource source(WebSocketSource.Options options) {
        WebSocketSource source = new WebSocketSource("feed", handler, server.url("/feed"), options);
        sources.add(source);
        record(source);
        return source;
    }

    private void record(WebSocketSource source) {
        log.recordStream(source, WebSocketSource.CONNECTED, WebSocketSource.MESSAGE, WebSocketSource.DISCONNECTED);
    }

    private static Thread threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no thread named " + name));
    }
}
