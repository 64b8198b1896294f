package io.pipeline.sources.adversarial;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.SseSource;
import io.pipeline.sources.WebSocketSource;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Null, blank, zero and negative arguments to the connectors: a clear exception naming the argument, at once. */
class BadArgumentsTest {
    private final SyncDispatcher handler = new SyncDispatcher();

    @AfterEach
    void closeHandler() {
        handler.close();
    }

    @Test
    void restOptions_refuseBadValues_namingTheOption() {
        RestSource.Options o = RestSource.Options.defaults();
        assertThatThrownBy(() -> o.withRequestInterval(null)).hasMessageContaining("requestInterval");
        assertThatThrownBy(() -> o.withRequestInterval(Duration.ZERO)).hasMessageContaining("requestInterval");
        assertThatThrownBy(() -> o.withConnectTimeout(Duration.ofSeconds(-1))).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> o.withReadTimeout(null)).hasMessageContaining("readTimeout");
        assertThatThrownBy(() -> o.withCallTimeout(Duration.ZERO)).hasMessageContaining("callTimeout");
        assertThatThrownBy(() -> o.withMaxBodyBytes(-1)).hasMessageContaining("maxBodyBytes");
        assertThatThrownBy(() -> o.withMaxRetryAfter(Duration.ofSeconds(-1))).hasMessageContaining("maxRetryAfter");
        assertThatThrownBy(() -> o.withStartSpread(null)).hasMessageContaining("startSpread");
        assertThatThrownBy(() -> o.withExceptionThreshold(0)).hasMessageContaining("exceptionThreshold");
        assertThatThrownBy(() -> o.withHeader(null, "v")).isInstanceOfAny(NullPointerException.class,
                IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> o.withHeader("X-Key", null)).isInstanceOfAny(NullPointerException.class,
                IllegalArgumentException.class).hasMessageContaining("X-Key");
        assertThatThrownBy(() -> o.withHeader(" ", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withHeader("X-Key", "secret\nInjected: 1")).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("X-Key").hasMessageNotContaining("secret");
    }

    @Test
    void streamOptions_refuseBadValues_namingTheOption() {
        SseSource.Options sse = SseSource.Options.defaults();
        assertThatThrownBy(() -> sse.withReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sse.withReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sse.withReconnectBackoff(null, Duration.ofSeconds(1))).hasMessageContaining("initial");
        assertThatThrownBy(() -> sse.withReconnectBackoff(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
                .hasMessageContaining("reconnectBackoff").hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> sse.withMaxEventBytes(0)).hasMessageContaining("maxEventBytes");
        assertThatThrownBy(() -> sse.withReadTimeout(Duration.ofMillis(-1))).hasMessageContaining("readTimeout");
        assertThatThrownBy(() -> sse.withExpectedInterval(Duration.ZERO)).hasMessageContaining("expectedInterval");
        assertThatThrownBy(() -> sse.withExceptionThreshold(-3)).hasMessageContaining("exceptionThreshold");
        WebSocketSource.Options ws = WebSocketSource.Options.defaults();
        assertThatThrownBy(() -> ws.withPingInterval(Duration.ofSeconds(-1))).hasMessageContaining("pingInterval");
        assertThatThrownBy(() -> ws.withHeartbeatTimeout(null)).hasMessageContaining("heartbeatTimeout");
        assertThatThrownBy(() -> ws.withCloseTimeout(Duration.ZERO)).hasMessageContaining("closeTimeout");
        assertThatThrownBy(() -> ws.withMaxFrameBytes(0)).hasMessageContaining("maxFrameBytes");
        assertThatThrownBy(() -> ws.withReceiveBufferBytes(-1)).hasMessageContaining("receiveBufferBytes");
        assertThatThrownBy(() -> ws.withObjectMapper(null)).hasMessageContaining("mapper");
    }

    @Test
    void constructors_refuseBadUrlsAndNulls_namingThem() {
        assertThatThrownBy(() -> new RestSource("r", handler, null, RestSource.Options.defaults()))
                .hasMessageContaining("url");
        assertThatThrownBy(() -> new RestSource("r", handler, "not a url", RestSource.Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a url");
        assertThatThrownBy(() -> new RestSource("r", handler, "http://127.0.0.1/", null))
                .hasMessageContaining("options");
        assertThatThrownBy(() -> new SseSource("s", handler, " ", SseSource.Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WebSocketSource("w", handler, "ftp://127.0.0.1/", WebSocketSource.Options
                .defaults())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ftp");
    }
}
