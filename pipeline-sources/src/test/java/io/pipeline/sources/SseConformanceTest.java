package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okio.Buffer;
import okio.BufferedSink;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SseSource against the WHATWG HTML standard's event-stream rules, after the web-platform-tests
 * {@code eventsource/} cases that apply to a non-browser client (format-*, request-status-error,
 * eventsource-reconnect), and against faults: oversized events, failing reconnects.
 */
class SseConformanceTest {
    private static final Duration FAST = Duration.ofMillis(1);

    private final MockWebServer server = new MockWebServer();
    private final SyncDispatcher handler = new SyncDispatcher();
    private final StreamRecorder recorder = new StreamRecorder();
    private final List<SseSource> sources = new ArrayList<>();
    private final CountDownLatch releaseStreams = new CountDownLatch(1);
    private final List<OkHttpClient> clients = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server.start();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (SseSource source : sources) {
            source.stop();
            assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
        }
        releaseStreams.countDown();
        handler.close();
        server.close();
        for (OkHttpClient client : clients) {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }

    // ---- format-* ---------------------------------------------------------------------------------------------

    @Test
    void format_leadingBomIsStrippedOnce_aSecondBomMakesAnUnknownField() throws Exception {
        server.enqueue(hangingBytes(new Buffer().writeUtf8("\uFEFFdata: 1\n\n\uFEFFdata: 2\n\ndata: 3\n\n")));
        SseSource source = source(fastOptions());

        source.start();

        assertThat(recorder.next(3)).containsExactly("connected " + source.url(),
                "message Message[id=null, type=message, data=1]", "message Message[id=null, type=message, data=3]");
    }

    @Test
    void format_crLfAndCrAndLf_allEndLines() throws Exception {
        server.enqueue(hanging("data: a\r\rdata: b\r\n\r\ndata: c\n\ndata: d\r\ndata: e\r\r"));
        SseSource source = source(fastOptions());

        source.start();

        assertThat(recorder.next(5)).containsExactly("connected " + source.url(),
                "message Message[id=null, type=message, data=a]", "message Message[id=null, type=message, data=b]",
                "message Message[id=null, type=message, data=c]",
                "message Message[id=null, type=message, data=d\ne]");
    }

    @Test
    void format_fieldParsing_oneSpaceDropped_noColonIsEmptyValue_commentsAndUnknownFieldsIgnored() throws Exception {
        server.enqueue(hanging("data:x\n\ndata:  two spaces\n\n: comment\nfoo: bar\ndata\n\n"
                + "event:\ndata: typed empty\n\nevent: custom\ndata: a\ndata\ndata: b\n\n"));
        SseSource source = source(fastOptions());

        source.start();

        assertThat(recorder.next(6)).containsExactly("connected " + source.url(),
                "message Message[id=null, type=message, data=x]",
                "message Message[id=null, type=message, data= two spaces]",
                "message Message[id=null, type=message, data=]",
                "message Message[id=null, type=message, data=typed empty]",
                "message Message[id=null, type=custom, data=a\n\nb]");
    }

    @Test
    void format_eventWithoutData_isNotDispatched_butItsIdIsKept() throws Exception {
        server.enqueue(hanging("id: 3\n\nevent: nothing\n\ndata: after\n\n"));
        SseSource source = source(fastOptions());

        source.start();

        assertThat(recorder.next(2)).containsExactly("connected " + source.url(),
                "message Message[id=3, type=message, data=after]");
    }

    @Test
    void format_idContainingNul_isIgnored() throws Exception {
        server.enqueue(hanging("id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n"));
        SseSource source = source(fastOptions());

        source.start();

        assertThat(recorder.next(3)).containsExactly("connected " + source.url(),
                "message Message[id=1, type=message, data=a]", "message Message[id=1, type=message, data=b]");
    }

    @Test
    void format_retryTakesDigitsOnly() throws Exception {
        server.enqueue(hanging("retry: 12a\nretry: -5\nretry:  7\nretry: 1e3\ndata: x\n\nretry: 345\ndata: y\n\n"));
        SseSource source = source(fastOptions());

        source.start();

        assertThat(recorder.next(3)).last().isEqualTo("message Message[id=null, type=message, data=y]");
        assertThat(source.serverRetry()).contains(Duration.ofMillis(345));
    }

    @Test
    void format_unterminatedEventAtTheEndOfTheStream_isDiscarded() throws Exception {
        server.enqueue(stream("data: a\n\ndata: b\n"));
        server.enqueue(hanging(""));
        SseSource source = source(fastOptions());

        source.start();

        List<String> events = recorder.next(4);
        assertThat(events.get(1)).isEqualTo("message Message[id=null, type=message, data=a]");
        assertThat(events.get(2)).startsWith("error stream ended by server");
        assertThat(events.get(3)).startsWith("disconnected stream ended by server");
    }

    @Test
    void format_mimeTypeWithParameters_isAccepted() throws Exception {
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "Text/Event-Stream; charset=utf-8")
                .body(hangingBody("data: ok\n\n")).build());
        SseSource source = source(fastOptions());

        source.start();

        assertThat(recorder.next(2)).last().isEqualTo("message Message[id=null, type=message, data=ok]");
    }

    // ---- request-status-error ---------------------------------------------------------------------------------

    @Test
    void status_otherThan200_includingOther2xx_failsTheConnectionWithAnErrorAndNoMessage() throws Exception {
        for (int code : new int[] {204, 205, 201, 202}) {
            server.enqueue(new MockResponse.Builder().code(code).setHeader("Content-Type", "text/event-stream")
                    .body(code == 204 || code == 205 ? "" : "data: must not be seen\n\n").build());
        }
        server.enqueue(hanging("data: ok\n\n"));
        SseSource source = source(fastOptions().withExceptionThreshold(10));

        source.start();

        List<String> events = recorder.next(10);
        for (int i = 0; i < 4; i++) {
            assertThat(events.get(2 * i)).startsWith("error HTTP " + new int[] {204, 205, 201, 202}[i]);
            assertThat(events.get(2 * i + 1)).startsWith("disconnected HTTP");
        }
        assertThat(events.subList(8, 10)).containsExactly("connected " + source.url(),
                "message Message[id=null, type=message, data=ok]");
        assertThat(source.consecutiveFailures()).isZero();
    }

    // ---- eventsource-reconnect, last event id -----------------------------------------------------------------

    @Test
    void reconnect_nonAsciiLastEventId_isSentBackAsUtf8_andTheSourceKeepsReconnecting() throws Exception {
        String id = "é-€-\uD83D\uDE00";
        server.enqueue(stream("id: " + id + "\ndata: a\n\n"));
        server.enqueue(stream("data: b\n\n"));
        server.enqueue(hanging("data: c\n\n"));
        SseSource source = source(fastOptions());

        source.start();

        assertThat(recorder.nextSkipping("connected", "error", "disconnected", "message Message[id=" + id + ", type=message, data=a]", "message Message[id=" + id + ", type=message, data=b]"))
                .isEqualTo("message Message[id=" + id + ", type=message, data=c]");
        server.takeRequest(5, TimeUnit.SECONDS);
        for (int i = 0; i < 2; i++) {
            RecordedRequest reconnect = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(reconnect.getHeaders().get("Last-Event-ID")).isEqualTo(id);
        }
        assertThat(source.lastEventId()).contains(id);
    }

    @Test
    void reconnect_afterAnEmptyIdField_sendsNoLastEventId() throws Exception {
        server.enqueue(stream("id: 7\ndata: a\n\nid\ndata: b\n\n"));
        server.enqueue(hanging("data: c\n\n"));
        SseSource source = source(fastOptions());

        source.start();

        List<String> events = recorder.next(3);
        assertThat(events.subList(1, 3)).containsExactly("message Message[id=7, type=message, data=a]",
                "message Message[id=null, type=message, data=b]");
        assertThat(recorder.nextSkipping("error", "disconnected", "connected"))
                .isEqualTo("message Message[id=null, type=message, data=c]");
        server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Last-Event-ID")).isNull();
        assertThat(source.lastEventId()).isEmpty();
    }

    @Test
    void retryZero_firstReconnectAtOnce_thenBacksOffWhenReconnectsFailInARow() throws Exception {
        server.enqueue(stream("retry: 0\ndata: a\n\n"));
        server.enqueue(hanging(""));
        SseSource source = source(SseSource.Options.defaults()
                .withReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)));
        source.start();
        assertThat(recorder.next(2)).last().isEqualTo("message Message[id=null, type=message, data=a]");
        assertThat(recorder.next()).startsWith("error stream ended");

        assertThat(source.serverRetry()).contains(Duration.ZERO);
        assertThat(source.reconnectDelay(1)).isZero();
        assertThat(source.reconnectDelay(2)).isEqualTo(Duration.ofMillis(100));
        assertThat(source.reconnectDelay(3)).isEqualTo(Duration.ofMillis(200));
        assertThat(source.reconnectDelay(10)).isEqualTo(Duration.ofSeconds(1));
    }

    // ---- maxEventBytes ----------------------------------------------------------------------------------------

    @Test
    void maxEventBytes_endlessLine_isAnErrorAndAReconnect_withBoundedMemory() throws Exception {
        AtomicInteger chunksWritten = new AtomicInteger();
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream")
                .body(new MockResponseBody() {
                    @Override
                    public long getContentLength() {
                        return -1;
                    }

                    @Override
                    public void writeTo(BufferedSink sink) throws IOException {
                        sink.writeUtf8("data: ");
                        ByteString chunk = ByteString.encodeUtf8("x".repeat(8192));
                        for (int i = 0; i < 100_000; i++) { // 800 MB, were it all read: it must not be
                            sink.write(chunk).flush();
                            chunksWritten.incrementAndGet();
                        }
                    }
                }).build());
        server.enqueue(hanging("data: small\n\n"));
        SseSource source = source(fastOptions().withMaxEventBytes(64 * 1024));

        source.start();

        List<String> events = recorder.next(5);
        assertThat(events.get(1)).startsWith("error ").contains("exceeds maxEventBytes 65536");
        assertThat(events.get(2)).startsWith("disconnected event too large");
        assertThat(events.subList(3, 5)).containsExactly("connected " + source.url(),
                "message Message[id=null, type=message, data=small]");
        assertThat(chunksWritten.get()).isLessThan(100_000);
    }

    @Test
    void maxEventBytes_manyDataLines_overTheCapTogether_isAnError() throws Exception {
        server.enqueue(stream("data: ok\n\n" + "data: 0123456789\n".repeat(20) + "\n"));
        server.enqueue(hanging("data: next\n\n"));
        SseSource source = source(fastOptions().withMaxEventBytes(100));

        source.start();

        List<String> events = recorder.next(6);
        assertThat(events.get(1)).isEqualTo("message Message[id=null, type=message, data=ok]");
        assertThat(events.get(2)).startsWith("error an event of more than 100 bytes exceeds maxEventBytes 100");
        assertThat(events.get(3)).startsWith("disconnected event too large");
        assertThat(events.get(5)).isEqualTo("message Message[id=null, type=message, data=next]");
    }

    @Test
    void options_maxEventBytes_defaultsTo1MiB_andRejectsBadValues() {
        assertThat(SseSource.Options.defaults().maxEventBytes()).isEqualTo(1024 * 1024);
        assertThat(SseSource.Options.defaults().withMaxEventBytes(10).maxEventBytes()).isEqualTo(10);
        assertThatThrownBy(() -> SseSource.Options.defaults().withMaxEventBytes(0))
                .hasMessage("maxEventBytes <= 0: 0");
    }

    // ---- nothing swallowed ------------------------------------------------------------------------------------

    @Test
    void scheduledReconnect_thatThrows_failsTheSource_withTheCause() throws Exception {
        server.enqueue(stream("data: a\n\n"));
        AtomicInteger calls = new AtomicInteger();
        OkHttpClient client = new OkHttpClient.Builder().eventListener(new EventListener() {
            @Override
            public void callStart(Call call) {
                if (calls.incrementAndGet() == 2) {
                    throw new IllegalStateException("listener boom");
                }
            }
        }).build();
        clients.add(client);
        SseSource source = source(fastOptions().withClient(client));

        CompletableFuture<Void> done = source.start();

        assertThatThrownBy(() -> done.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SseSource 'feed' could not connect to " + source.url())
                .cause().hasMessage("listener boom");
    }

    @Test
    void listenerThrowingStackOverflowError_neverLeavesTheSourceHanging() throws Exception {
        server.enqueue(hanging("data: a\n\ndata: b\n\n"));
        SseSource source = source(fastOptions());
        CompletableFuture<String> next = new CompletableFuture<>();
        source.on(SseSource.MESSAGE, message -> {
            if (message.data().equals("a")) {
                throw new StackOverflowError("listener overflow");
            }
            next.complete(message.data());
        });

        CompletableFuture<Void> done = source.start();

        // Either the failure was contained (an ERROR, and the stream goes on) or it failed the source: never a hang.
        CompletableFuture.anyOf(next, done.handle((v, t) -> "failed")).get(5, TimeUnit.SECONDS);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private SseSource.Options fastOptions() {
        return SseSource.Options.defaults().withReconnectBackoff(FAST, Duration.ofMillis(5));
    }

    private SseSource source(SseSource.Options options) {
        SseSource source = new SseSource("feed", handler, server.url("/events").toString(), options);
        sources.add(source);
        recorder.listenTo(source, SseSource.CONNECTED, SseSource.MESSAGE, SseSource.DISCONNECTED);
        return source;
    }

    private static MockResponse stream(String events) {
        return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(events).build();
    }

    private MockResponse hanging(String events) {
        return hangingBytes(new Buffer().writeUtf8(events));
    }

    private MockResponse hangingBytes(Buffer events) {
        return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream")
                .body(hangingBody(events.readByteString())).build();
    }

    private MockResponseBody hangingBody(String events) {
        return hangingBody(ByteString.encodeUtf8(events));
    }

    /** Sends {@code events} and then holds the stream open until the test ends. */
    private MockResponseBody hangingBody(ByteString events) {
        return new MockResponseBody() {
            @Override
            public long getContentLength() {
                return -1;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.write(events).flush();
                try {
                    releaseStreams.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }
}
