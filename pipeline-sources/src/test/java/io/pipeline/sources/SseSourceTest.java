package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SseSourceTest {
    private static final Duration FAST = Duration.ofMillis(1);

    private final MockWebServer server = new MockWebServer();
    private final SyncDispatcher handler = new SyncDispatcher();
    private final StreamRecorder recorder = new StreamRecorder();
    private final List<SseSource> sources = new ArrayList<>();
    private final CountDownLatch releaseStreams = new CountDownLatch(1);
    private final RecordingScheduler scheduler = new RecordingScheduler();

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
        scheduler.shutdownNow();
        assertThat(scheduler.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        server.close();
    }

    @Test
    void events_areParsedIntoIdTypeAndData() throws Exception {
        server.enqueue(stream("id: 1\nevent: tick\ndata: a\ndata: b\n\n: a comment\ndata: plain\n\nid: 2\ndata: {}\n\n"));
        server.enqueue(hanging(""));
        SseSource source = source(fastOptions());

        source.start();

        assertThat(recorder.next(4)).containsExactly(
                "connected " + source.url(),
                "message Message[id=1, type=tick, data=a\nb]",
                "message Message[id=1, type=message, data=plain]",
                "message Message[id=2, type=message, data={}]");
        assertThat(source.lastEventId()).contains("2");
    }

    @Test
    void event_withoutAnyId_hasNullId() throws Exception {
        server.enqueue(hanging("data: x\n\n"));
        SseSource source = source(fastOptions());

        source.start();

        assertThat(recorder.next(2)).last().isEqualTo("message Message[id=null, type=message, data=x]");
        assertThat(source.lastEventId()).isEmpty();
    }

    @Test
    void streamEnd_reconnectsWithLastEventId() throws Exception {
        server.enqueue(stream("id: 41\ndata: a\n\nid: 42\ndata: b\n\n"));
        server.enqueue(hanging("data: resumed\n\n"));
        SseSource source = source(fastOptions().withHeader("Authorization", "Bearer t"));

        source.start();

        List<String> events = recorder.next(7);
        assertThat(events.get(3)).startsWith("error stream ended by server");
        assertThat(events.get(4)).startsWith("disconnected stream ended by server");
        assertThat(events.get(5)).isEqualTo("connected " + source.url());
        // the last event id carries over to events of the next connection, as a browser's lastEventId does
        assertThat(events.get(6)).isEqualTo("message Message[id=42, type=message, data=resumed]");
        RecordedRequest first = server.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest second = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(first.getHeaders().get("Last-Event-ID")).isNull();
        assertThat(first.getHeaders().get("Accept")).isEqualTo("text/event-stream");
        assertThat(second.getHeaders().get("Last-Event-ID")).isEqualTo("42");
        assertThat(second.getHeaders().get("Authorization")).isEqualTo("Bearer t");
        assertThat(source.lastEventId()).contains("42");
    }

    @Test
    void retryField_setsTheReconnectDelay() throws Exception {
        server.enqueue(stream("retry: 250\nid: 1\ndata: a\n\n"));
        server.enqueue(hanging("data: b\n\n"));
        SseSource source = source(fastOptions().withReconnectBackoff(Duration.ofSeconds(5), Duration.ofSeconds(10)));

        source.start();

        assertThat(recorder.next(4)).last().asString().startsWith("disconnected stream ended");
        assertThat(scheduler.delays.poll(5, TimeUnit.SECONDS)).isEqualTo(Duration.ofMillis(250));
        assertThat(source.serverRetry()).contains(Duration.ofMillis(250));
        assertThat(recorder.next(2)).containsExactly("connected " + source.url(),
                "message Message[id=1, type=message, data=b]");
    }

    @Test
    void withoutRetryField_reconnectDelayIsTheJitteredBackoff() throws Exception {
        server.enqueue(stream("data: a\n\n"));
        server.enqueue(hanging(""));
        SseSource source = source(fastOptions()
                .withReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)));

        source.start();

        Duration delay = scheduler.delays.poll(5, TimeUnit.SECONDS);
        assertThat(delay).isBetween(Duration.ofMillis(80), Duration.ofMillis(120));
        assertThat(source.serverRetry()).isEmpty();
    }

    @Test
    void retryDelay_doublesForFailuresInARow_upToTheLargerOfRetryAndMax() throws Exception {
        server.enqueue(stream("retry: 100\n\n"));
        server.enqueue(hanging(""));
        SseSource source = source(fastOptions().withReconnectBackoff(FAST, Duration.ofMillis(300)));
        source.start();
        scheduler.delays.poll(5, TimeUnit.SECONDS);

        assertThat(source.reconnectDelay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(source.reconnectDelay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(source.reconnectDelay(3)).isEqualTo(Duration.ofMillis(300));
        assertThat(source.reconnectDelay(9)).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void non2xx_emitsErrorAndCounts_untilThresholdFailsTheFuture() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(503).body("busy").build();
            }
        });
        SseSource source = new SseSource("feed", handler, server.url("/events?access_token=s3cr3t").toString(),
                fastOptions().withExceptionThreshold(3));
        sources.add(source);
        record(source);

        CompletableFuture<Void> done = source.start();

        assertThatThrownBy(() -> done.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessageContaining("SseSource 'feed' disconnected too many times, stopped")
                .hasMessageContaining("/events?access_token=REDACTED")
                .hasMessageNotContaining("s3cr3t")
                .cause()
                .hasMessageContaining("HTTP 503");
        List<String> events = recorder.remaining();
        assertThat(events).filteredOn(e -> e.startsWith("error HTTP 503")).hasSize(3);
        assertThat(events).noneMatch(e -> e.startsWith("uncaught") || e.startsWith("message"));
        assertThat(events).filteredOn(e -> e.startsWith("disconnected HTTP 503")).hasSize(3);
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void wrongContentType_isAnErrorAndCounted() throws Exception {
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/plain").body("data: x\n\n").build());
        server.enqueue(hanging("data: ok\n\n"));
        SseSource source = source(fastOptions());

        source.start();

        List<String> events = recorder.next(4);
        assertThat(events.get(0)).startsWith("error Invalid content-type: text/plain");
        assertThat(events.get(1)).startsWith("disconnected Invalid content-type");
        assertThat(events.subList(2, 4)).containsExactly("connected " + source.url(),
                "message Message[id=null, type=message, data=ok]");
    }

    @Test
    void receivedEvent_resetsFailureCount() throws Exception {
        for (int i = 0; i < 3; i++) {
            server.enqueue(stream("data: " + i + "\n\n"));
        }
        server.enqueue(new MockResponse.Builder().code(500).build());
        SseSource source = source(fastOptions().withExceptionThreshold(2));

        CompletableFuture<Void> done = source.start();

        assertThatThrownBy(() -> done.get(5, TimeUnit.SECONDS)).hasMessageContaining("disconnected too many times");
        List<String> events = recorder.remaining();
        assertThat(events).filteredOn(e -> e.startsWith("message")).hasSize(3);
        // Without the reset, the second stream end would have been the second failure in a row.
        assertThat(events).filteredOn(e -> e.startsWith("disconnected")).hasSize(4);
        assertThat(server.getRequestCount()).isEqualTo(4);
    }

    @Test
    void silentStream_beyondReadTimeout_reconnects() throws Exception {
        server.enqueue(hanging("id: 5\ndata: a\n\n"));
        server.enqueue(hanging("data: b\n\n"));
        SseSource source = source(fastOptions().withReadTimeout(Duration.ofMillis(300)));

        source.start();

        assertThat(recorder.next(2)).last().isEqualTo("message Message[id=5, type=message, data=a]");
        assertThat(recorder.next()).startsWith("error ").containsIgnoringCase("time");
        assertThat(recorder.next()).startsWith("disconnected connection lost: ").contains("SocketTimeoutException");
        assertThat(recorder.nextSkipping("error", "disconnected")).isEqualTo("connected " + source.url());
        assertThat(recorder.next()).isEqualTo("message Message[id=5, type=message, data=b]");
        server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Last-Event-ID")).isEqualTo("5");
    }

    @Test
    void stop_cancelsTheStream_completesNormally_andDoesNotReconnect() throws Exception {
        server.enqueue(hanging("data: a\n\n"));
        server.enqueue(hanging("data: b\n\n"));
        SseSource source = source(SseSource.Options.defaults().withReconnectBackoff(FAST, FAST));
        CompletableFuture<Void> done = source.start();
        assertThat(recorder.next(2)).last().isEqualTo("message Message[id=null, type=message, data=a]");

        source.stop();
        source.stop(); // idempotent

        assertThat(done.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(source.client().dispatcher().executorService().awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(recorder.remaining()).isEmpty();
    }

    @Test
    void start_twice_throws() {
        server.enqueue(hanging(""));
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
        return SseSource.Options.defaults().withReconnectBackoff(FAST, Duration.ofMillis(5)).withScheduler(scheduler);
    }

    private SseSource source(SseSource.Options options) {
        SseSource source = new SseSource("feed", handler, server.url("/events").toString(), options);
        sources.add(source);
        record(source);
        return source;
    }

    private void record(SseSource source) {
        recorder.listenTo(source, SseSource.CONNECTED, SseSource.MESSAGE, SseSource.DISCONNECTED);
    }

    /** A complete event stream: the connection ends after {@code events}. */
    private static MockResponse stream(String events) {
        return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(events).build();
    }

    /** A stream that sends {@code events} and then stays open until the test ends. */
    private MockResponse hanging(String events) {
        return new MockResponse.Builder()
                .setHeader("Content-Type", "text/event-stream")
                .body(new MockResponseBody() {
                    @Override
                    public long getContentLength() {
                        return -1;
                    }

                    @Override
                    public void writeTo(BufferedSink sink) throws IOException {
                        sink.writeUtf8(events).flush();
                        try {
                            releaseStreams.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                })
                .build();
    }

    /** A real scheduler that records the delay of everything scheduled on it. */
    static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
        final BlockingQueue<Duration> delays = new LinkedBlockingQueue<>();

        RecordingScheduler() {
            super(1, task -> {
                Thread thread = new Thread(task, "test-scheduler");
                thread.setDaemon(true);
                return thread;
            });
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            delays.add(Duration.ofNanos(unit.toNanos(delay)));
            return super.schedule(command, delay, unit);
        }
    }
}
