package io.pipeline.sources.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.SseSource;
import io.pipeline.sources.WebSocketSource;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.ScriptedHttpEndpoint;
import io.pipeline.testing.ScriptedSseServer;
import io.pipeline.testing.ScriptedWebSocketPeer;
import io.pipeline.testing.SseStream;
import io.pipeline.testing.ThreadLeaks;
import io.pipeline.testing.WebSocketScript;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Streams and polls against servers that misbehave, and listeners that throw what they should not. */
class StreamFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SyncDispatcher handler = new SyncDispatcher();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeHandler() {
        handler.close();
    }

    private SseSource.Options sseOptions() {
        return SseSource.Options.defaults().withReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(20));
    }

    private WebSocketSource.Options wsOptions() {
        return WebSocketSource.Options.defaults().withReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(20));
    }

    private static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
        @SuppressWarnings("unchecked") E e = (E) t;
        throw e;
    }

    // --- listeners throwing Errors and InterruptedException -------------------------------------------------------

    @Test
    void sse_listenerThrowingInterruptedException_keepsTheConnection_andTheRestArrive() throws Exception {
        try (ScriptedSseServer server = ScriptedSseServer.start()) {
            server.stream().event("1", null, "a").event("2", null, "b").event("3", null, "c");
            SseSource source = new SseSource("sse-int", handler, server.url("/"), sseOptions());
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            source.on(SseSource.MESSAGE, m -> {
                seen.add(m.data());
                if (m.data().equals("a")) {
                    sneakyThrow(new InterruptedException("planted"));
                }
            });
            source.on(Processor.ERROR, errors::add);
            source.start();
            try {
                assertThat(List.of(poll(seen), poll(seen), poll(seen))).containsExactly("a", "b", "c");
                assertThat(server.connectionCount()).isEqualTo(1);
            } finally {
                source.stop();
            }
            ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-sse-int-"), WAIT);
        }
    }

    @Test
    void ws_listenerThrowingInterruptedException_keepsTheConnection_andTheRestArrive() throws Exception {
        try (ScriptedWebSocketPeer peer = ScriptedWebSocketPeer.start()) {
            peer.connection().send("{\"n\":1}").send("{\"n\":2}").send("{\"n\":3}");
            WebSocketSource source = new WebSocketSource("ws-int", handler, peer.url("/"), wsOptions());
            BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
            source.on(WebSocketSource.MESSAGE, node -> {
                seen.add(node.get("n").intValue());
                if (node.get("n").intValue() == 1) {
                    sneakyThrow(new InterruptedException("planted"));
                }
            });
            source.start();
            try {
                assertThat(List.of(poll(seen), poll(seen), poll(seen))).containsExactly(1, 2, 3);
                assertThat(peer.connectionCount()).isEqualTo(1);
            } finally {
                source.stop();
            }
            ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-ws-int-"), WAIT);
        }
    }

    @Test
    void rest_listenerThrowingInterruptedException_leavesLaterPollsUnharmed() throws Exception {
        try (ScriptedHttpEndpoint server = ScriptedHttpEndpoint.start()) {
            server.otherwise(n -> HttpReply.json("{\"n\":" + n + "}"));
            RestSource source = new RestSource("rest-int", handler, server.url("/"),
                    RestSource.Options.defaults().withRequestInterval(Duration.ofMillis(20)));
            BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
            source.on(RestSource.DATA, poll -> {
                seen.add(poll.body().get("n").intValue());
                if (poll.body().get("n").intValue() % 2 == 1) {
                    sneakyThrow(new InterruptedException("planted"));
                }
            });
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            source.on(Processor.ERROR, failures::add);
            source.start();
            try {
                for (int i = 1; i <= 6; i++) {
                    assertThat(poll(seen)).isEqualTo(i);
                }
            } finally {
                source.stop();
            }
            assertThat(failures).allSatisfy(f -> assertThat(f).hasMessageContaining("planted"));
        }
    }

    @Test
    void sse_listenerThrowingStackOverflowError_isAnError_andTheRestArrive() throws Exception {
        try (ScriptedSseServer server = ScriptedSseServer.start()) {
            server.stream().data("a").data("b");
            SseSource source = new SseSource("sse-soe", handler, server.url("/"), sseOptions());
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            source.on(SseSource.MESSAGE, m -> {
                if (m.data().equals("a")) {
                    throw new StackOverflowError("planted");
                }
                seen.add(m.data());
            });
            source.on(Processor.ERROR, errors::add);
            source.start();
            try {
                assertThat(poll(seen)).isEqualTo("b");
                assertThat(errors).anySatisfy(e -> assertThat(e).hasRootCauseInstanceOf(StackOverflowError.class));
            } finally {
                source.stop();
            }
        }
    }

    @Test
    void sse_listenerThrowingOutOfMemoryError_failsTheSource_andLeavesNoThread() throws Exception {
        try (ScriptedSseServer server = ScriptedSseServer.start()) {
            server.stream().data("a");
            SseSource source = new SseSource("sse-oom", handler, server.url("/"), sseOptions());
            source.on(SseSource.MESSAGE, m -> {
                throw new OutOfMemoryError("planted");
            });
            CompletableFuture<Void> done = source.start();
            assertFailsWithin(done, OutOfMemoryError.class);
            source.stop();
            ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-sse-oom-"), WAIT);
        }
    }

    @Test
    void ws_listenerThrowingOutOfMemoryError_failsTheSource_andLeavesNoThread() throws Exception {
        try (ScriptedWebSocketPeer peer = ScriptedWebSocketPeer.start()) {
            peer.connection().send("{\"n\":1}");
            WebSocketSource source = new WebSocketSource("ws-oom", handler, peer.url("/"), wsOptions());
            source.on(WebSocketSource.MESSAGE, node -> {
                throw new OutOfMemoryError("planted");
            });
            CompletableFuture<Void> done = source.start();
            assertFailsWithin(done, OutOfMemoryError.class);
            source.stop();
            ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-ws-oom-"), WAIT);
        }
    }

    private static void assertFailsWithin(CompletableFuture<Void> done, Class<? extends Throwable> cause)
            throws Exception {
        try {
            done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the source's future completed normally");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).satisfiesAnyOf(c -> assertThat(c).isInstanceOf(cause),
                    c -> assertThat(c).hasRootCauseInstanceOf(cause));
        }
    }

    // --- servers that die or say nothing -----------------------------------------------------------------------------

    @Test
    void sse_serverKilledMidEvent_theHalfEventIsNeverDelivered_andTheSourceReconnects() throws Exception {
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
                + "id: 1\ndata: whole\n\nid: 2\ndata: {\"half\":").getBytes(StandardCharsets.UTF_8);
        try (RawServer server = RawServer.killing(head)) {
            SseSource source = new SseSource("sse-kill", handler, server.url("http", "/"), sseOptions());
            List<String> seen = new CopyOnWriteArrayList<>();
            source.on(SseSource.MESSAGE, m -> seen.add(m.data()));
            source.on(Processor.ERROR, errors::add);
            source.start();
            try {
                assertThat(server.awaitConnections(3, WAIT.toSeconds())).isTrue();
            } finally {
                source.stop();
            }
            assertThat(seen).isNotEmpty().allMatch("whole"::equals);
            assertThat(errors).isNotEmpty();
            ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-sse-kill-"), WAIT);
        }
    }

    @Test
    void sse_invalidUtf8_isDecodedWithReplacement_andTheStreamGoesOn() throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: a".getBytes(
                StandardCharsets.US_ASCII));
        body.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xC3, 'b', (byte) 0xE2, (byte) 0x82});
        body.writeBytes("\n\ndata: next\n\n".getBytes(StandardCharsets.US_ASCII));
        try (RawServer server = RawServer.holding(body.toByteArray())) {
            SseSource source = new SseSource("sse-utf8", handler, server.url("http", "/"), sseOptions());
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            source.on(SseSource.MESSAGE, m -> seen.add(m.data()));
            source.start();
            try {
                assertThat(poll(seen)).startsWith("a\uFFFD").contains("b");
                assertThat(poll(seen)).isEqualTo("next");
            } finally {
                source.stop();
            }
        }
    }

    @Test
    void sse_serverThatAcceptsAndNeverAnswers_timesOutAndRetries_andStopEndsEveryThread() throws Exception {
        try (RawServer server = RawServer.holding(new byte[0])) {
            SseSource source = new SseSource("sse-mute", handler, server.url("http", "/"),
                    sseOptions().withReadTimeout(Duration.ofMillis(200)));
            source.on(Processor.ERROR, errors::add);
            CompletableFuture<Void> done = source.start();
            assertThat(server.awaitConnections(2, WAIT.toSeconds())).isTrue();
            assertThat(errors).isNotEmpty();
            source.stop();
            assertThat(done).isDone();
            ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-sse-mute-"), WAIT);
        }
    }

    @Test
    void ws_stopWhileTheHandshakeGoesUnanswered_endsEveryThread() throws Exception {
        try (RawServer server = RawServer.holding(new byte[0])) {
            WebSocketSource source = new WebSocketSource("ws-mute", handler, server.url("ws", "/"), wsOptions());
            CompletableFuture<Void> done = source.start();
            assertThat(server.awaitConnections(1, WAIT.toSeconds())).isTrue();
            source.stop();
            assertThat(done).isDone();
            ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-ws-mute-"), Duration.ofSeconds(3));
        }
    }

    @Test
    void ws_serverKilledMidFrame_isALostConnection_andTheSourceReconnects() throws Exception {
        // A handshake the client accepts (the key check needs the real accept value: compute it per request is not
        // possible here), so kill the server in the middle of the handshake's headers instead.
        byte[] half = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: webso".getBytes(StandardCharsets.US_ASCII);
        try (RawServer server = RawServer.killing(half)) {
            WebSocketSource source = new WebSocketSource("ws-kill", handler, server.url("ws", "/"), wsOptions());
            source.on(Processor.ERROR, errors::add);
            source.start();
            try {
                assertThat(server.awaitConnections(3, WAIT.toSeconds())).isTrue();
            } finally {
                source.stop();
            }
            assertThat(errors).isNotEmpty();
            ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-ws-kill-"), WAIT);
        }
    }

    @Test
    void rest_serverThatAcceptsAndNeverAnswers_isAFailedPoll_andStopCancelsIt() throws Exception {
        try (RawServer server = RawServer.holding(new byte[0])) {
            RestSource source = new RestSource("rest-mute", handler, server.url("http", "/"),
                    RestSource.Options.defaults().withCallTimeout(Duration.ofMillis(300))
                            .withRequestInterval(Duration.ofMillis(50)));
            BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
            source.on(Processor.ERROR, failures::add);
            CompletableFuture<Void> done = source.start();
            try {
                assertThat(failures.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
                assertThat(server.awaitConnections(2, WAIT.toSeconds())).isTrue();
            } finally {
                source.stop();
            }
            assertThat(done).isDone();
            assertThat(done.isCompletedExceptionally()).isFalse();
        }
    }

    @Test
    void rest_invalidUtf8AndMalformedBodies_areFailedPolls_neverData() throws Exception {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        reply.writeBytes(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        reply.writeBytes(body);
        try (RawServer server = RawServer.killing(reply.toByteArray())) {
            RestSource source = new RestSource("rest-utf8", handler, server.url("http", "/"),
                    RestSource.Options.defaults().withRequestInterval(Duration.ofMillis(20)));
            List<JsonNode> data = new CopyOnWriteArrayList<>();
            BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
            source.on(RestSource.DATA, poll -> data.add(poll.body()));
            source.on(Processor.ERROR, failures::add);
            source.start();
            try {
                assertThat(failures.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
            } finally {
                source.stop();
            }
            assertThat(data).isEmpty();
        }
    }

    private static <T> T poll(BlockingQueue<T> queue) throws InterruptedException {
        T value = queue.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(value).as("nothing arrived within %s", WAIT).isNotNull();
        return value;
    }
}
