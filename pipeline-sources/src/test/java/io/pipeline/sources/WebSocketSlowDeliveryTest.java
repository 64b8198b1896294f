package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Overflow;
import io.pipeline.testing.EventLog;
import java.io.IOException;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A listener that takes longer than the heartbeat timeout on one message while the {@code AsyncDispatcher}'s queue
 * is full — so the source's delivery thread is blocked in {@code emit} — is a slow consumer, not a dead server.
 */
class WebSocketSlowDeliveryTest {
    private final MockWebServer server = new MockWebServer();
    private final EventLog log = new EventLog();
    private final AsyncDispatcher handler = AsyncDispatcher.builder().capacity(1).overflow(Overflow.BLOCK).build();
    private WebSocketSource source;

    @BeforeEach
    void startServer() throws IOException {
        server.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (source != null) {
            source.stop();
            assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
        }
        handler.close();
        server.close();
    }

    @Test
    void listenerLongerThanTheHeartbeatTimeout_behindAFullBlockQueue_isNotADisconnect() throws Exception {
        server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                for (int n = 1; n <= 4; n++) {
                    webSocket.send("{\"n\":" + n + "}");
                }
            }

            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                webSocket.close(code, null);
            }
        }).build());
        server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {}).build()); // would show
        source = new WebSocketSource("feed", handler, server.url("/feed").toString().replaceFirst("^http", "ws"),
                WebSocketSource.Options.defaults().withHeartbeatTimeout(Duration.ofSeconds(1))
                        .withReconnectBackoff(Duration.ofMillis(1), Duration.ofMillis(5)));
        source.on(WebSocketSource.MESSAGE, message -> {
            if (message.get("n").asInt() == 1) {
                Thread.sleep(3_000); // the slow consumer under test: three heartbeat timeouts on one message
            }
        });
        log.recordStream(source, WebSocketSource.CONNECTED, WebSocketSource.MESSAGE, WebSocketSource.DISCONNECTED);

        source.start();

        assertThat(log.next(5, Duration.ofSeconds(30))).containsExactly("connected " + source.url(), "message {\"n\":1}",
                "message {\"n\":2}", "message {\"n\":3}", "message {\"n\":4}");
        assertThat(source.consecutiveFailures()).isZero();
        assertThat(server.getRequestCount()).as("no reconnect").isEqualTo(1);
    }
}
