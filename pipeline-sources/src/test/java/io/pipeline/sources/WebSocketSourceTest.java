package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import java.io.IOException;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebSocketSourceTest {
    private static final Duration FAST = Duration.ofMillis(1);

    private final MockWebServer server = new MockWebServer();
    private final SyncDispatcher handler = new SyncDispatcher();
    private final StreamRecorder recorder = new StreamRecorder();
    private final List<WebSocketSource> sources = new ArrayList<>();
    private final BlockingQueue<String> serverReceived = new LinkedBlockingQueue<>();

    @BeforeEach
    void startServer() throws IOException {
        server.start();
    }

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
        enqueueSocket(socket -> {
            for (int i = 0; i < count; i++) {
                socket.send("{\"n\":" + i + "}");
            }
        });
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
        enqueueSocket(socket -> {});
        WebSocketSource source = new WebSocketSource("subscriber", handler, wsUrl("/feed"), fastOptions()) {
            @Override
            protected void onConnect(WebSocket socket) {
                socket.send("{\"subscribe\":\"AAPL\"}");
            }
        };
        sources.add(source);
        record(source);

        source.start();

        assertThat(serverReceived.poll(5, TimeUnit.SECONDS)).isEqualTo("{\"subscribe\":\"AAPL\"}");
        assertThat(recorder.next()).isEqualTo("connected " + source.url());
    }

    @Test
    void send_whileConnected_reachesServer_andReturnsFalseAfterStop() throws Exception {
        enqueueSocket(socket -> {});
        WebSocketSource source = source(fastOptions());

        source.start();
        assertThat(recorder.next()).startsWith("connected");

        assertThat(source.send("hello")).isTrue();
        assertThat(serverReceived.poll(5, TimeUnit.SECONDS)).isEqualTo("hello");
        source.stop();
        assertThat(source.send("late")).isFalse();
    }

    @Test
    void serverClose_emitsDisconnected_thenReconnects() throws Exception {
        enqueueSocket(socket -> socket.close(1001, "going away"));
        enqueueSocket(socket -> socket.send("{\"second\":true}"));
        WebSocketSource source = source(fastOptions());

        source.start();

        String url = source.url();
        assertThat(recorder.next(5)).containsExactly(
                "connected " + url,
                "error closed by server: code 1001, reason 'going away' (" + url + ")",
                "disconnected closed by server: code 1001, reason 'going away'",
                "connected " + url,
                "message {\"second\":true}");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void heartbeatTimeout_silentServer_disconnectsAndReconnects() throws Exception {
        enqueueSocket(socket -> {}); // never sends anything
        enqueueSocket(socket -> socket.send("{\"alive\":true}"));
        WebSocketSource source = source(fastOptions().withHeartbeatTimeout(Duration.ofMillis(300)));

        source.start();

        List<String> events = recorder.next(5);
        assertThat(events.get(0)).isEqualTo("connected " + source.url());
        assertThat(events.get(1)).startsWith("error no message for ").contains("heartbeatTimeout 300 ms");
        assertThat(events.get(2)).startsWith("disconnected no message for ").contains("heartbeatTimeout 300 ms");
        assertThat(events.subList(3, 5)).containsExactly("connected " + source.url(), "message {\"alive\":true}");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void refusedUpgrades_reachThreshold_failFutureNamingRedactedUrl() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(500).body("nope").build();
            }
        });
        WebSocketSource source = new WebSocketSource("feed", handler, wsUrl("/feed?token=s3cr3t"),
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
        List<String> events = recorder.next(6);
        assertThat(events).filteredOn(event -> event.startsWith("disconnected")).hasSize(3)
                .allSatisfy(event -> assertThat(event).startsWith("disconnected connect failed: ").contains("500"));
        assertThat(events).filteredOn(event -> event.startsWith("error")).hasSize(3)
                .allSatisfy(event -> assertThat(event).contains("500"));
        assertThat(recorder.remaining()).isEmpty();
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void handledMessage_resetsFailureCount() throws Exception {
        for (int i = 0; i < 3; i++) {
            int n = i;
            enqueueSocket(socket -> {
                socket.send("{\"n\":" + n + "}");
                socket.close(1000, "bye");
            });
        }
        server.enqueue(new MockResponse.Builder().code(500).build());
        WebSocketSource source = source(fastOptions().withExceptionThreshold(2));

        CompletableFuture<Void> done = source.start();

        assertThatThrownBy(() -> done.get(5, TimeUnit.SECONDS)).hasMessageContaining("disconnected too many times");
        List<String> events = recorder.remaining();
        assertThat(events).filteredOn(e -> e.startsWith("message")).hasSize(3);
        // Without the reset, the second close would have been the second failure in a row.
        assertThat(events).filteredOn(e -> e.startsWith("disconnected")).hasSize(4);
        assertThat(server.getRequestCount()).isEqualTo(4);
    }

    @Test
    void oversizedFrame_emitsErrorWithSizeAndCap_connectionKept() throws Exception {
        String big = "{\"pad\":\"" + "x".repeat(100) + "\"}";
        enqueueSocket(socket -> {
            socket.send(big);
            socket.send(ByteString.encodeUtf8(big));
            socket.send("{\"ok\":1}");
        });
        WebSocketSource source = source(fastOptions().withMaxFrameBytes(64));

        source.start();

        List<String> events = recorder.next(4);
        assertThat(events.get(0)).startsWith("connected");
        assertThat(events.get(1)).startsWith("error").contains(big.length() + " bytes").contains("maxFrameBytes 64");
        assertThat(events.get(2)).startsWith("error").contains(big.length() + " bytes");
        assertThat(events.get(3)).isEqualTo("message {\"ok\":1}");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void oversizedFrame_countsUtf8Bytes_notChars() throws Exception {
        String wide = "{\"s\":\"" + "é".repeat(30) + "\"}"; // 38 chars, 68 UTF-8 bytes
        enqueueSocket(socket -> socket.send(wide));
        WebSocketSource source = source(fastOptions().withMaxFrameBytes(64));

        source.start();

        assertThat(recorder.next()).startsWith("connected");
        assertThat(recorder.next()).startsWith("error").contains("68 bytes");
    }

    @Test
    void malformedJson_emitsError_connectionKept() throws Exception {
        enqueueSocket(socket -> {
            socket.send("{not json");
            socket.send("{} trailing");
            socket.send("");
            socket.send("{\"n\":1}");
        });
        WebSocketSource source = source(fastOptions());

        source.start();

        List<String> events = recorder.next(5);
        assertThat(events.get(0)).startsWith("connected");
        assertThat(events.subList(1, 4)).allSatisfy(e -> assertThat(e).startsWith("error malformed JSON message"));
        assertThat(events.get(4)).isEqualTo("message {\"n\":1}");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void binaryMessage_isDecodedAsUtf8AndParsed() throws Exception {
        enqueueSocket(socket -> socket.send(ByteString.encodeUtf8("{\"bin\":\"é\"}")));
        WebSocketSource source = source(fastOptions());

        source.start();

        assertThat(recorder.next(2)).containsExactly("connected " + source.url(), "message {\"bin\":\"é\"}");
    }

    @Test
    void onText_override_handlesNonJsonFormats() throws Exception {
        enqueueSocket(socket -> socket.send("price=42"));
        List<String> texts = new ArrayList<>();
        CountDownLatch got = new CountDownLatch(1);
        WebSocketSource source = new WebSocketSource("text", handler, wsUrl("/feed"), fastOptions()) {
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
        CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                closeCode.complete(code);
                webSocket.close(code, null);
            }
        }).build());
        enqueueSocket(socket -> {}); // a reconnect would be accepted
        WebSocketSource source = source(fastOptions());
        CompletableFuture<Void> done = source.start();
        assertThat(recorder.next()).startsWith("connected");

        source.stop();
        source.stop(); // idempotent

        assertThat(done.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
        assertThat(source.client().dispatcher().executorService().awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(recorder.remaining()).isEmpty();
    }

    @Test
    void stop_leavesNoThreadOfTheSourceRunning() throws Exception {
        enqueueSocket(socket -> socket.send("{}"));
        WebSocketSource source = source(fastOptions());
        source.start();
        assertThat(recorder.next(2)).last().isEqualTo("message {}");
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
        enqueueSocket(socket -> {});
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
        enqueueSocket(socket -> {});
        WebSocketSource source = source(fastOptions().withHeader("Authorization", "Bearer t"));

        source.start();

        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request).isNotNull();
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer t");
    }

    private static WebSocketSource.Options fastOptions() {
        return WebSocketSource.Options.defaults().withReconnectBackoff(FAST, Duration.ofMillis(5));
    }

    private WebSocketSource source(WebSocketSource.Options options) {
        WebSocketSource source = new WebSocketSource("feed", handler, wsUrl("/feed"), options);
        sources.add(source);
        record(source);
        return source;
    }

    private void record(WebSocketSource source) {
        recorder.listenTo(source, WebSocketSource.CONNECTED, WebSocketSource.MESSAGE, WebSocketSource.DISCONNECTED);
    }

    private String wsUrl(String path) {
        return server.url(path).toString().replaceFirst("^http", "ws");
    }

    /** Upgrades the next request; {@code onOpen} runs when the server side opens. */
    private void enqueueSocket(Consumer<WebSocket> onOpen) {
        server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                onOpen.accept(webSocket);
            }

            @Override
            public void onMessage(WebSocket webSocket, String text) {
                serverReceived.add(text);
            }

            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                webSocket.close(code, null);
            }
        }).build());
    }

    private static Thread threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no thread named " + name));
    }
}
