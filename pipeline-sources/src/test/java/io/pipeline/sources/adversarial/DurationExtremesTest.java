package io.pipeline.sources.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.SseSource;
import io.pipeline.sources.WebSocketSource;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.ScriptedHttpEndpoint;
import io.pipeline.testing.ScriptedSseServer;
import io.pipeline.testing.ScriptedWebSocketPeer;
import io.pipeline.testing.ThreadLeaks;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Duration option of the three connectors, set to {@code ChronoUnit.FOREVER.getDuration()}: either the
 * option refuses it with an exception naming the option, or the source takes it and works — it starts, polls or
 * connects, and stops — with no {@link ArithmeticException} (an overflow) anywhere.
 */
class DurationExtremesTest {
    private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    private final SyncDispatcher handler = new SyncDispatcher();

    @AfterEach
    void closeHandler() {
        handler.close();
    }

    static Stream<Arguments> restOptions() {
        return Stream.of(
                Arguments.of("requestInterval", (UnaryOperator<RestSource.Options>) o -> o.withRequestInterval(FOREVER)),
                Arguments.of("connectTimeout", (UnaryOperator<RestSource.Options>) o -> o.withConnectTimeout(FOREVER)),
                Arguments.of("readTimeout", (UnaryOperator<RestSource.Options>) o -> o.withReadTimeout(FOREVER)),
                Arguments.of("callTimeout", (UnaryOperator<RestSource.Options>) o -> o.withCallTimeout(FOREVER)),
                Arguments.of("maxRetryAfter", (UnaryOperator<RestSource.Options>) o -> o.withMaxRetryAfter(FOREVER)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restOptions")
    void restSource_foreverDuration_isRefusedByNameOrPolls(String option, UnaryOperator<RestSource.Options> change)
            throws Exception {
        RestSource.Options options;
        try {
            options = change.apply(RestSource.Options.defaults());
        } catch (IllegalArgumentException e) {
            assertThat(e).hasMessageContaining(option);
            return;
        }
        try (ScriptedHttpEndpoint server = ScriptedHttpEndpoint.start()) {
            server.otherwise(n -> HttpReply.json("{\"n\":" + n + "}"));
            RestSource source;
            try {
                source = new RestSource("rest", handler, server.url("/"), options);
            } catch (IllegalArgumentException e) {
                assertThat(e).hasMessageContaining(option);
                return;
            }
            CompletableFuture<Void> done = source.start();
            try {
                server.awaitRequest(1, Duration.ofSeconds(10));
            } finally {
                source.stop();
            }
            assertThat(done.isCompletedExceptionally()).as("future failed: %s", done).isFalse();
        }
    }

    @Test
    void restSource_foreverStartSpread_startsAndStops() {
        RestSource source = new RestSource("rest", handler, "http://127.0.0.1:1/",
                RestSource.Options.defaults().withStartSpread(FOREVER));
        CompletableFuture<Void> done = source.start();
        source.stop();
        assertThat(done).isCompleted();
        assertThat(done.isCompletedExceptionally()).as("future failed: %s", done).isFalse();
    }

    static Stream<Arguments> sseOptions() {
        return Stream.of(
                Arguments.of("readTimeout", (UnaryOperator<SseSource.Options>) o -> o.withReadTimeout(FOREVER)),
                Arguments.of("expectedInterval", (UnaryOperator<SseSource.Options>) o -> o.withExpectedInterval(FOREVER)),
                Arguments.of("max", (UnaryOperator<SseSource.Options>) o -> o.withReconnectBackoff(
                        Duration.ofMillis(1), FOREVER)),
                Arguments.of("initial", (UnaryOperator<SseSource.Options>) o -> o.withReconnectBackoff(FOREVER, FOREVER)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sseOptions")
    void sseSource_foreverDuration_isRefusedByNameOrConnects(String option, UnaryOperator<SseSource.Options> change)
            throws Exception {
        SseSource.Options options;
        try {
            options = change.apply(SseSource.Options.defaults());
        } catch (IllegalArgumentException e) {
            assertThat(e).hasMessageContaining(option);
            return;
        }
        try (ScriptedSseServer server = ScriptedSseServer.start()) {
            server.stream().event("1", "message", "{}");
            SseSource source = new SseSource("sse", handler, server.url("/"), options);
            CompletableFuture<Void> done = source.start();
            try {
                server.awaitConnection(1, Duration.ofSeconds(10));
            } finally {
                source.stop();
            }
            ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-sse-sse"), Duration.ofSeconds(10));
            assertThat(done.isCompletedExceptionally()).as("future failed: %s", done).isFalse();
        }
    }

    static Stream<Arguments> webSocketOptions() {
        return Stream.of(
                Arguments.of("pingInterval", (UnaryOperator<WebSocketSource.Options>) o -> o.withPingInterval(FOREVER)),
                Arguments.of("heartbeatTimeout",
                        (UnaryOperator<WebSocketSource.Options>) o -> o.withHeartbeatTimeout(FOREVER)),
                Arguments.of("closeTimeout", (UnaryOperator<WebSocketSource.Options>) o -> o.withCloseTimeout(FOREVER)),
                Arguments.of("expectedInterval",
                        (UnaryOperator<WebSocketSource.Options>) o -> o.withExpectedInterval(FOREVER)),
                Arguments.of("max", (UnaryOperator<WebSocketSource.Options>) o -> o.withReconnectBackoff(
                        Duration.ofMillis(1), FOREVER)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("webSocketOptions")
    void webSocketSource_foreverDuration_isRefusedByNameOrConnects(String option,
            UnaryOperator<WebSocketSource.Options> change) throws Exception {
        WebSocketSource.Options options;
        try {
            options = change.apply(WebSocketSource.Options.defaults());
        } catch (IllegalArgumentException e) {
            assertThat(e).hasMessageContaining(option);
            return;
        }
        try (ScriptedWebSocketPeer peer = ScriptedWebSocketPeer.start()) {
            peer.connection().send("{\"n\":1}");
            WebSocketSource source;
            try {
                source = new WebSocketSource("ws", handler, peer.url("/"), options);
            } catch (IllegalArgumentException e) {
                assertThat(e).hasMessageContaining(option);
                return;
            }
            CompletableFuture<Object> message = new CompletableFuture<>();
            source.on(WebSocketSource.MESSAGE, message::complete);
            CompletableFuture<Void> done = source.start();
            try {
                assertThat(message.get(10, TimeUnit.SECONDS)).isNotNull();
            } finally {
                source.stop();
            }
            ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-ws-websocket"), Duration.ofSeconds(10));
            assertThat(done.isCompletedExceptionally()).as("future failed: %s", done).isFalse();
        }
    }
}
