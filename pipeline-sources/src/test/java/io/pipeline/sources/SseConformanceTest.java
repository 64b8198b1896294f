package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import io.pipeline.testing.EventLog;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.ScriptedSseServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okio.BufferedSink;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SseSource against the WHATWG HTML standard's event-stream rules, after the web-platform-tests
 * {@code eventsource/} cases that apply to a non-browser client (format-*, request-status-error,
 * eventsource-reconnect), and against faults: oversized events, failing reconnects.
 */
class SseConformanceTest {
    private static final Duration FAST = Duration.ofMillis(1);

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScriptedSseServer server = ScriptedSseServer.start();
    private final SyncDispatcher handler = new SyncDispatcher();
    private final EventLog log = new EventLog();
    private final List<SseSource> sources = new ArrayList<>();
    private final List<OkHttpClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        for (SseSource source : sources) {
            source.stop();
            assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
        }
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
        server.stream().raw("\uFEFFdata: 1\n\n\uFEFFdata: 2\n\ndata: 3\n\n");
        SseSource source = source(fastOptions());

        source.start();

        assertThat(log.next(3, WAIT)).containsExactly("connected " + source.url(),
                "message Message[id=null, type=message, data=1]", "message Message[id=null, type=message, data=3]");
    }

    @Test
    void format_crLfAndCrAndLf_allEndLines() throws Exception {
        server.stream().raw("data: a\r\rdata: b\r\n\r\ndata: c\n\ndata: d\r\ndata: e\r\r");
        SseSource source = source(fastOptions());

        source.start();

        assertThat(log.next(5, WAIT)).containsExactly("connected " + source.url(),
                "message Message[id=null, type=message, data=a]", "message Message[id=null, type=message, data=b]",
                "message Message[id=null, type=message, data=c]",
                "message Message[id=null, type=message, data=d\ne]");
    }

    @Test
    void format_fieldParsing_oneSpaceDropped_noColonIsEmptyValue_commentsAndUnknownFieldsIgnored() throws Exception {
        server.stream().raw("data:x\n\ndata:  two spaces\n\n: comment\nfoo: bar\ndata\n\n"
                + "event:\ndata: typed empty\n\nevent: custom\ndata: a\ndata\ndata: b\n\n");
        SseSource source = source(fastOptions());

        source.start();

        assertThat(log.next(6, WAIT)).containsExactly("connected " + source.url(),
                "message Message[id=null, type=message, data=x]",
                "message Message[id=null, type=message, data= two spaces]",
                "message Message[id=null, type=message, data=]",
                "message Message[id=null, type=message, data=typed empty]",
                "message Message[id=null, type=custom, data=a\n\nb]");
    }

    @Test
    void format_eventWithoutData_isNotDispatched_butItsIdIsKept() throws Exception {
        server.stream().raw("id: 3\n\nevent: nothing\n\ndata: after\n\n");
        SseSource source = source(fastOptions());

        source.start();

        assertThat(log.next(2, WAIT)).containsExactly("connected " + source.url(),
                "message Message[id=3, type=message, data=after]");
    }

    @Test
    void format_idContainingNul_isIgnored() throws Exception {
        server.stream().raw("id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n");
        SseSource source = source(fastOptions());

        source.start();

        assertThat(log.next(3, WAIT)).containsExactly("connected " + source.url(),
                "message Message[id=1, type=message, data=a]", "message Message[id=1, type=message, data=b]");
    }

    @Test
    void format_retryTakesDigitsOnly() throws Exception {
        server.stream().raw("retry: 12a\nretry: -5\nretry:  7\nretry: 1e3\ndata: x\n\nretry: 345\ndata: y\n\n");
        SseSource source = source(fastOptions());

        source.start();

        assertThat(log.next(3, WAIT)).last().isEqualTo("message Message[id=null, type=message, data=y]");
        assertThat(source.serverRetry()).contains(Duration.ofMillis(345));
    }

    @Test
    void format_unterminatedEventAtTheEndOfTheStream_isDiscarded() throws Exception {
        server.stream().raw("data: a\n\ndata: b\n").end();
        server.stream();
        SseSource source = source(fastOptions());

        source.start();

        List<String> events = log.next(4, WAIT);
        assertThat(events.get(1)).isEqualTo("message Message[id=null, type=message, data=a]");
        assertThat(events.get(2)).startsWith("error stream ended by server");
        assertThat(events.get(3)).startsWith("disconnected stream ended by server");
    }

    @Test
    void format_mimeTypeWithParameters_isAccepted() throws Exception {
        server.stream("Text/Event-Stream; charset=utf-8").raw("data: ok\n\n");
        SseSource source = source(fastOptions());

        source.start();

        assertThat(log.next(2, WAIT)).last().isEqualTo("message Message[id=null, type=message, data=ok]");
    }

    // ---- request-status-error ---------------------------------------------------------------------------------

    @Test
    void status_otherThan200_includingOther2xx_failsTheConnectionWithAnErrorAndNoMessage() throws Exception {
        for (int code : new int[] {204, 205, 201, 202}) {
            server.reply(HttpReply.of(new MockResponse.Builder().code(code).setHeader("Content-Type", "text/event-stream")
                    .body(code == 204 || code == 205 ? "" : "data: must not be seen\n\n").build()));
        }
        server.stream().raw("data: ok\n\n");
        SseSource source = source(fastOptions().withExceptionThreshold(10));

        source.start();

        List<String> events = log.next(10, WAIT);
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
        server.stream().raw("id: " + id + "\ndata: a\n\n").end();
        server.stream().raw("data: b\n\n").end();
        server.stream().raw("data: c\n\n");
        SseSource source = source(fastOptions());

        source.start();

        assertThat(log.nextSkipping(WAIT, "connected", "error", "disconnected", "message Message[id=" + id + ", type=message, data=a]", "message Message[id=" + id + ", type=message, data=b]"))
                .isEqualTo("message Message[id=" + id + ", type=message, data=c]");
        for (int i = 2; i <= 3; i++) {
            RecordedRequest reconnect = server.awaitConnection(i, WAIT);
            assertThat(reconnect.getHeaders().get("Last-Event-ID")).isEqualTo(id);
        }
        assertThat(source.lastEventId()).contains(id);
    }

    @Test
    void reconnect_afterAnEmptyIdField_sendsNoLastEventId() throws Exception {
        server.stream().raw("id: 7\ndata: a\n\nid\ndata: b\n\n").end();
        server.stream().raw("data: c\n\n");
        SseSource source = source(fastOptions());

        source.start();

        List<String> events = log.next(3, WAIT);
        assertThat(events.subList(1, 3)).containsExactly("message Message[id=7, type=message, data=a]",
                "message Message[id=null, type=message, data=b]");
        assertThat(log.nextSkipping(WAIT, "error", "disconnected", "connected"))
                .isEqualTo("message Message[id=null, type=message, data=c]");
        assertThat(server.awaitConnection(2, WAIT).getHeaders().get("Last-Event-ID")).isNull();
        assertThat(source.lastEventId()).isEmpty();
    }

    @Test
    void retryZero_firstReconnectAtOnce_thenBacksOffWhenReconnectsFailInARow() throws Exception {
        server.stream().raw("retry: 0\ndata: a\n\n").end();
        server.stream();
        SseSource source = source(SseSource.Options.defaults()
                .withReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)));
        source.start();
        assertThat(log.next(2, WAIT)).last().isEqualTo("message Message[id=null, type=message, data=a]");
        assertThat(log.next(WAIT)).startsWith("error stream ended");

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
        server.reply(HttpReply.of(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream")
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
                }).build()));
        server.stream().raw("data: small\n\n");
        SseSource source = source(fastOptions().withMaxEventBytes(64 * 1024));

        source.start();

        List<String> events = log.next(5, WAIT);
        assertThat(events.get(1)).startsWith("error ").contains("exceeds maxEventBytes 65536");
        assertThat(events.get(2)).startsWith("disconnected event too large");
        assertThat(events.subList(3, 5)).containsExactly("connected " + source.url(),
                "message Message[id=null, type=message, data=small]");
        assertThat(chunksWritten.get()).isLessThan(100_000);
    }

    @Test
    void maxEventBytes_manyDataLines_overTheCapTogether_isAnError() throws Exception {
        server.stream().raw("data: ok\n\n" + "data: 0123456789\n".repeat(20) + "\n").end();
        server.stream().raw("data: next\n\n");
        SseSource source = source(fastOptions().withMaxEventBytes(100));

        source.start();

        List<String> events = log.next(6, WAIT);
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
        server.stream().raw("data: a\n\n").end();
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
        server.stream().raw("data: a\n\ndata: b\n\n");
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
        SseSource source = new SseSource("feed", handler, server.url("/events"), options);
        sources.add(source);
        log.recordStream(source, SseSource.CONNECTED, SseSource.MESSAGE, SseSource.DISCONNECTED);
        return source;
    }
}
