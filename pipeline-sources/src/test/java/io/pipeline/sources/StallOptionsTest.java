package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The stall watchdog's options of the three connectors: defaults, validation, and what the source declares. */
class StallOptionsTest {
    private static final String URL = "http://127.0.0.1:9/feed";

    @Test
    void restSource_expectsItsRequestInterval_andRestartsWhenAsked() {
        try (SyncDispatcher handler = new SyncDispatcher()) {
            RestSource plain = new RestSource("rest", handler, URL,
                    RestSource.Options.defaults().withRequestInterval(Duration.ofSeconds(7)));
            RestSource restarting = new RestSource("rest2", handler, URL,
                    RestSource.Options.defaults().withRestartWhenStalled(true));

            assertThat(plain.expectedInterval()).contains(Duration.ofSeconds(7));
            assertThat(plain.restartWhenStalled()).isFalse();
            assertThat(restarting.expectedInterval()).contains(Duration.ofSeconds(30));
            assertThat(restarting.restartWhenStalled()).isTrue();
        }
    }

    @Test
    void streamingSources_expectNothingByDefault_andTheIntervalGiven() {
        try (SyncDispatcher handler = new SyncDispatcher()) {
            assertThat(new SseSource("sse", handler, URL, SseSource.Options.defaults()).expectedInterval()).isEmpty();
            assertThat(new WebSocketSource("ws", handler, URL, WebSocketSource.Options.defaults())
                    .expectedInterval()).isEmpty();

            SseSource sse = new SseSource("sse2", handler, URL, SseSource.Options.defaults()
                    .withExpectedInterval(Duration.ofSeconds(15)).withRestartWhenStalled(true));
            WebSocketSource ws = new WebSocketSource("ws2", handler, URL, WebSocketSource.Options.defaults()
                    .withExpectedInterval(Duration.ofMinutes(2)));

            assertThat(sse.expectedInterval()).contains(Duration.ofSeconds(15));
            assertThat(sse.restartWhenStalled()).isTrue();
            assertThat(ws.expectedInterval()).contains(Duration.ofMinutes(2));
            assertThat(ws.restartWhenStalled()).isFalse();
            assertThat(sse.options().toString()).contains("expectedInterval=PT15S", "restartWhenStalled=true");
        }
    }

    @Test
    void expectedInterval_rejectsZeroNegativeAndNull() {
        assertThatThrownBy(() -> SseSource.Options.defaults().withExpectedInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("expectedInterval must be positive: PT0S");
        assertThatThrownBy(() -> WebSocketSource.Options.defaults().withExpectedInterval(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("expectedInterval must be positive: PT-1S");
        assertThatThrownBy(() -> SseSource.Options.defaults().withExpectedInterval(null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void otherOptions_keepTheStallSettings() {
        SseSource.Options sse = SseSource.Options.defaults().withExpectedInterval(Duration.ofSeconds(5))
                .withRestartWhenStalled(true).withExceptionThreshold(3).withHeader("X", "y");
        RestSource.Options rest = RestSource.Options.defaults().withRestartWhenStalled(true).withExceptionThreshold(3);

        assertThat(sse.expectedInterval()).contains(Duration.ofSeconds(5));
        assertThat(sse.restartWhenStalled()).isTrue();
        assertThat(rest.restartWhenStalled()).isTrue();
    }
}
