package io.pipeline.sources.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.SseSource;
import io.pipeline.testing.ThreadLeaks;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SseOutputTest {
    private static final String NAME = "sse-test";

    private final SyncDispatcher handler = new SyncDispatcher();
    private final List<SseSource> sources = new ArrayList<>();
    private final List<java.util.concurrent.CompletableFuture<Void>> running = new ArrayList<>();
    private final List<RawSseClient> raw = new ArrayList<>();
    private final OkHttpClient client = manyStreamsClient();
    private SseOutput output;

    record Tick(long n, Instant at) {}

    @AfterEach
    void tearDown() throws Exception {
        sources.forEach(SseSource::stop);
        for (var future : running) {
            future.get(10, TimeUnit.SECONDS);
        }
        for (RawSseClient c : raw) {
            c.close();
        }
        if (output != null) {
            output.close();
        }
        client.dispatcher().executorService().shutdownNow();
        client.connectionPool().evictAll();
        handler.close();
        assertNoOutputThreadAlive();
    }

    private static OkHttpClient manyStreamsClient() {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(1000);
        dispatcher.setMaxRequestsPerHost(1000);
        return new OkHttpClient.Builder().dispatcher(dispatcher).build();
    }

    private SseOutput start(SseOutput.Options options) {
        output = new SseOutput(NAME, handler, options);
        return output;
    }

    /** An SseSource following the output, recording each message's id, type and data, and each disconnect. */
    private BlockingQueue<String> follow(SseSource.Options options) {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        SseSource source = new SseSource("follower-" + sources.size(), handler, output.streamUri().toString(),
                options.withClient(client));
        source.on(SseSource.MESSAGE, m -> received.add(m.id() + " " + m.type() + " " + m.data()));
        source.on(SseSource.DISCONNECTED, reason -> received.add("disconnected"));
        source.on(SseSource.ERROR, error -> received.add("error " + error));
        sources.add(source);
        running.add(source.start());
        return received;
    }

    private RawSseClient raw(String lastEventId) throws IOException {
        RawSseClient c = RawSseClient.open(output.address(), "/events", lastEventId);
        raw.add(c);
        return c;
    }

    private static List<String> take(BlockingQueue<String> queue, int count) throws InterruptedException {
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String next = queue.poll(10, TimeUnit.SECONDS);
            assertThat(next).as("event %d of %d within 10 s; got %s", i + 1, count, taken).isNotNull();
            taken.add(next);
        }
        return taken;
    }

    private void awaitClients(int count) {
        Awaits.until(count + " clients connected (now " + output.clients() + ")", () -> output.clients() == count);
    }

    @Test
    void send_reachesAnSseSource_asOneJsonDocumentPerEvent_withIdsAndTypes() throws Exception {
        start(SseOutput.Options.defaults());
        BlockingQueue<String> received = follow(SseSource.Options.defaults());
        awaitClients(1);

        output.send(new Tick(1, Instant.parse("2026-12-01T10:15:00Z")));
        output.send("alert", Map.of("text", "line one\nline two"));
        output.sender("tick").handle(new Tick(3, Instant.parse("2026-12-01T10:15:02Z")));

        assertThat(take(received, 3)).containsExactly(
                "1 message {\"n\":1,\"at\":\"2026-12-01T10:15:00Z\"}",
                "2 alert {\"text\":\"line one\\nline two\"}",
                "3 tick {\"n\":3,\"at\":\"2026-12-01T10:15:02Z\"}");
        assertThat(output.sent()).isEqualTo(3);
        assertThat(output.dropped()).isZero();
    }

    @Test
    void stream_startsWithRetryAndAComment_andHasTheEventStreamContentType() throws Exception {
        start(SseOutput.Options.defaults().withRetry(Duration.ofMillis(1500)));
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(output.streamUri()).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream body = response.body()) {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
            byte[] head = body.readNBytes("retry: 1500\n\n: connected\n\n".length());
            assertThat(new String(head, StandardCharsets.UTF_8)).isEqualTo("retry: 1500\n\n: connected\n\n");
        }
    }

    @Test
    void lastEventId_withinTheBuffer_replaysExactlyTheMissedEvents_thenLiveOnes() throws Exception {
        start(SseOutput.Options.defaults().withReplay(10).withRetry(Duration.ZERO));
        IntStream.rangeClosed(1, 5).forEach(output::send);

        RawSseClient resumed = raw("3");
        assertThat(resumed.status()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(resumed.next(3)).containsExactly(": connected", "id: 4\ndata: 4", "id: 5\ndata: 5");
        awaitClients(1);
        output.send(6);
        assertThat(resumed.next(1)).containsExactly("id: 6\ndata: 6");
    }

    @Test
    void lastEventId_olderThanTheBuffer_orFromAnEarlierRun_orGarbage_replaysTheWholeBuffer() throws Exception {
        start(SseOutput.Options.defaults().withReplay(3).withRetry(Duration.ZERO));
        IntStream.rangeClosed(1, 6).forEach(output::send);
        List<String> wholeBuffer = List.of(": connected", "id: 4\ndata: 4", "id: 5\ndata: 5", "id: 6\ndata: 6");

        assertThat(raw("1").next(4)).isEqualTo(wholeBuffer);
        assertThat(raw("999").next(4)).isEqualTo(wholeBuffer);
        assertThat(raw("x").next(4)).isEqualTo(wholeBuffer);
        assertThat(raw("3").next(4)).as("just before the oldest: nothing lost").isEqualTo(wholeBuffer);
        RawSseClient upToDate = raw("6");
        assertThat(upToDate.next(1)).containsExactly(": connected");
        awaitClients(5);
        output.send(7);
        assertThat(upToDate.next(1)).containsExactly("id: 7\ndata: 7");
    }

    @Test
    void noLastEventId_getsLiveEventsOnly() throws Exception {
        start(SseOutput.Options.defaults().withRetry(Duration.ZERO));
        output.send("before");
        RawSseClient fresh = raw(null);
        assertThat(fresh.next(1)).containsExactly(": connected");
        awaitClients(1);
        output.send("after");
        assertThat(fresh.next(1)).containsExactly("id: 2\ndata: \"after\"");
    }

    @Test
    void sseSource_thatLosesItsStream_resumesFromLastEventId_withoutGapOrDuplicate() throws Exception {
        start(SseOutput.Options.defaults());
        try (CuttableRelay relay = new CuttableRelay(output.address())) {
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            SseSource source = new SseSource("follower", handler, "http://127.0.0.1:" + relay.port() + "/events",
                    SseSource.Options.defaults().withClient(client)
                            .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(20)));
            source.on(SseSource.MESSAGE, m -> received.add(m.id() + " " + m.data()));
            source.on(SseSource.DISCONNECTED, reason -> received.add("disconnected"));
            sources.add(source);
            running.add(source.start());
            awaitClients(1);
            output.send(1);
            output.send(2);
            assertThat(take(received, 2)).containsExactly("1 1", "2 2");

            relay.cut(); // the connection dies; the reconnect is held at the relay
            assertThat(take(received, 1)).containsExactly("disconnected");
            output.send(3); // missed while disconnected: written into the dead connection, or not at all

            output.send(4);
            relay.resume();

            assertThat(take(received, 2)).containsExactly("3 3", "4 4");
            output.send(5);
            assertThat(take(received, 1)).containsExactly("5 5");
            assertThat(output.connections()).isEqualTo(2);
            assertThat(received).isEmpty();
            source.stop();
        }
    }

    @Test
    void twoHundredClients_eachReceiveEveryEventInOrder() throws Exception {
        int clients = 200;
        int events = 20;
        start(SseOutput.Options.defaults());
        Map<Integer, List<String>> got = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(clients * events);
        for (int i = 0; i < clients; i++) {
            List<String> mine = Collections.synchronizedList(new ArrayList<>());
            got.put(i, mine);
            SseSource source = new SseSource("follower-" + i, handler, output.streamUri().toString(),
                    SseSource.Options.defaults().withClient(client));
            source.on(SseSource.MESSAGE, m -> {
                mine.add(m.id());
                all.countDown();
            });
            sources.add(source);
            running.add(source.start());
        }
        awaitClients(clients);

        for (int n = 1; n <= events; n++) {
            output.send(n);
        }

        assertThat(all.await(30, TimeUnit.SECONDS)).as("every client got every event").isTrue();
        List<String> expected = IntStream.rangeClosed(1, events).mapToObj(String::valueOf).toList();
        assertThat(got.values()).allSatisfy(ids -> assertThat(ids).isEqualTo(expected));
        assertThat(output.dropped()).isZero();
        assertThat(output.connections()).isEqualTo(clients);
    }

    @Test
    void stalledClient_isDropped_whileTheOthersGetEverything_andSendNeverBlocks() throws Exception {
        start(SseOutput.Options.defaults().withClientBuffer(4).withHeartbeat(Duration.ofHours(1)));
        BlockingQueue<String> fast = follow(SseSource.Options.defaults());
        RawSseClient stalled = raw(null); // asks, then never reads
        awaitClients(2);
        String big = "x".repeat(64 * 1024);

        int n = 0;
        while (output.dropped() == 0 && n < 1000) {
            n++;
            output.send(big + n);
            assertThat(take(fast, 1)).containsExactly(n + " message \"" + big + n + "\"");
        }

        assertThat(output.dropped()).as("dropped after %d events", n).isEqualTo(1);
        assertThat(output.clients()).isEqualTo(1);
        output.send("after");
        assertThat(take(fast, 1)).containsExactly((n + 1) + " message \"after\"");
        assertThat(stalled.awaitEnd()).as("the stalled connection is cut, not ended").isFalse();
    }

    @Test
    void writeThatHangs_dropsTheClient_evenWithRoomInItsQueue() throws Exception {
        start(SseOutput.Options.defaults().withClientBuffer(100_000).withHeartbeat(Duration.ofMillis(20))
                .withWriteTimeout(Duration.ofMillis(200)));
        raw(null); // never reads
        awaitClients(1);
        String big = "y".repeat(64 * 1024);
        for (int n = 0; n < 400 && output.dropped() == 0; n++) { // up to 25 MB, far beyond any socket buffer
            output.send(big);
        }
        Awaits.until("the stalled client dropped", () -> output.dropped() == 1);
        assertThat(output.clients()).isZero();
    }

    @Test
    void heartbeat_sendsCommentsOnAnIdleStream() throws Exception {
        start(SseOutput.Options.defaults().withHeartbeat(Duration.ofMillis(20)).withRetry(Duration.ZERO));
        RawSseClient idle = raw(null);
        assertThat(idle.next(3)).containsExactly(": connected", ": heartbeat", ": heartbeat");
    }

    @Test
    void beyondMaxClients_newStreamsGet503_andAreCounted() throws Exception {
        start(SseOutput.Options.defaults().withMaxClients(2));
        raw(null).next(1);
        raw(null).next(1);
        awaitClients(2);

        assertThat(raw(null).status()).isEqualTo("HTTP/1.1 503 Service Unavailable");
        assertThat(output.rejected()).isEqualTo(1);
    }

    @Test
    void otherPathsAndMethods_areRefused() throws Exception {
        start(SseOutput.Options.defaults());
        HttpClient http = HttpClient.newHttpClient();
        URI base = output.baseUri();
        assertThat(http.send(HttpRequest.newBuilder(base.resolve("/events/x")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        assertThat(http.send(HttpRequest.newBuilder(output.streamUri()).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        assertThat(http.send(HttpRequest.newBuilder(base.resolve("/page")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("nothing mounted").isEqualTo(404);
    }

    @Test
    void mount_servesAPageAndAnEndpointOnTheSameServer() throws Exception {
        start(SseOutput.Options.defaults());
        output.mount("/", exchange -> {
            try (exchange) {
                byte[] body = ("page " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        HttpResponse<String> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(output.baseUri().resolve("/index.html")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).isEqualTo("page /index.html");
        assertThatThrownBy(() -> output.mount("/events", exchange -> {}))
                .hasMessage("path already mounted: /events");
        assertThatThrownBy(() -> output.mount("page", exchange -> {})).hasMessage("path must start with /: page");
    }

    @Test
    void close_endsEveryStreamAfterWhatWasQueued_cutsTheStalledOnes_andEndsEveryThread() throws Exception {
        start(SseOutput.Options.defaults().withHeartbeat(Duration.ofMillis(50)).withRetry(Duration.ZERO));
        RawSseClient reader = raw(null);
        RawSseClient stalled = raw(null);
        BlockingQueue<String> follower = follow(SseSource.Options.defaults()
                .withReconnectBackoff(Duration.ofHours(1), Duration.ofHours(1)));
        awaitClients(3);
        String big = "z".repeat(64 * 1024);
        for (int n = 0; n < 20; n++) {
            output.send(big); // fills the stalled client's socket
        }
        output.send("last");

        output.close();

        assertThat(reader.awaitEnd()).as("a reader sees the stream end").isTrue();
        List<String> followed = take(follower, 23); // 21 messages, the end of the stream as an ERROR, DISCONNECTED
        assertThat(followed.subList(0, 21)).allMatch(event -> !event.startsWith("error") && !event.equals("disconnected"));
        assertThat(followed.get(21)).startsWith("error ").contains("stream ended by server");
        assertThat(followed.get(22)).isEqualTo("disconnected");
        assertThat(output.clients()).isZero();
        assertThatThrownBy(() -> output.send("late")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(NAME);
        output.close(); // idempotent
        assertNoOutputThreadAlive();
        stalled.close();
    }

    @Test
    void send_ofAValueJacksonCannotWrite_throwsNamingTheType() {
        start(SseOutput.Options.defaults());
        Object unwritable = new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                return this;
            }
        };
        assertThatThrownBy(() -> output.send(unwritable)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot write ");
        assertThatThrownBy(() -> output.send("two\nlines", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two\nlines");
        assertThat(output.sent()).isZero();
    }

    @Test
    void options_rejectBadValues_namingThem() {
        SseOutput.Options defaults = SseOutput.Options.defaults();
        assertThatThrownBy(() -> defaults.withPort(70_000)).hasMessage("port not within 0..65535: 70000");
        assertThatThrownBy(() -> defaults.withPath("events")).hasMessage("path must start with /: events");
        assertThatThrownBy(() -> defaults.withReplay(-1)).hasMessage("replay < 0: -1");
        assertThatThrownBy(() -> defaults.withClientBuffer(0)).hasMessage("clientBuffer <= 0: 0");
        assertThatThrownBy(() -> defaults.withMaxClients(0)).hasMessage("maxClients <= 0: 0");
        assertThatThrownBy(() -> defaults.withHeartbeat(Duration.ZERO)).hasMessage("heartbeat must be at least 1 ms: PT0S");
        assertThatThrownBy(() -> defaults.withWriteTimeout(Duration.ofSeconds(-1)))
                .hasMessage("writeTimeout must be positive: PT-1S");
        assertThatThrownBy(() -> defaults.withRetry(Duration.ofSeconds(-1))).hasMessage("retry < 0: PT-1S");
    }

    @Test
    void durationExtremes_meanNeverAndStillStream() throws Exception {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
        start(SseOutput.Options.defaults().withHeartbeat(forever).withWriteTimeout(forever).withRetry(forever));
        RawSseClient c = raw(null);
        assertThat(c.next(2)).containsExactly("retry: " + Long.MAX_VALUE, ": connected");
        awaitClients(1);
        output.send(1);
        assertThat(c.next(1)).containsExactly("id: 1\ndata: 1");
    }

    @Test
    void portInUse_failsClearly() throws InterruptedException {
        start(SseOutput.Options.defaults());
        int port = output.address().getPort();
        assertThatThrownBy(() -> new SseOutput("second", handler, SseOutput.Options.defaults().withPort(port)))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("'second' cannot listen on 127.0.0.1:" + port);
        ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-second-"), Duration.ofSeconds(10));
    }

    private static void assertNoOutputThreadAlive() throws InterruptedException {
        ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-" + NAME + "-"), Duration.ofSeconds(10));
    }
}
