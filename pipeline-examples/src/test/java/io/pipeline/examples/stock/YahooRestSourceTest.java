package io.pipeline.examples.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import io.pipeline.testing.EventRecorder;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.ScriptedHttpEndpoint;
import io.pipeline.testing.VirtualTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class YahooRestSourceTest {
    @Test
    void chartUrl_appendsTheChartPathAndQuery_keepingTheBasePath() {
        assertThat(YahooRestSource.chartUrl("https://query1.finance.yahoo.com", "AAPL"))
                .isEqualTo("https://query1.finance.yahoo.com/v8/finance/chart/AAPL?interval=1m&range=1d");
        assertThat(YahooRestSource.chartUrl("http://localhost:8080/proxy/", "BRK.B"))
                .isEqualTo("http://localhost:8080/proxy/v8/finance/chart/BRK.B?interval=1m&range=1d");
        assertThat(YahooRestSource.chartUrl("http://localhost:8080", "^GSPC"))
                .isEqualTo("http://localhost:8080/v8/finance/chart/%5EGSPC?interval=1m&range=1d");
    }

    @Test
    void chartUrl_ofANonHttpBase_isRejected() {
        assertThatThrownBy(() -> YahooRestSource.chartUrl("ftp://example.com", "AAPL"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an http or https URL: ftp://example.com");
    }

    @Test
    void poll_sendsTheBrowserHeadersTheLiveEndpointExpects() {
        VirtualTime time = VirtualTime.create();
        try (ScriptedHttpEndpoint yahoo = ScriptedHttpEndpoint.start(); SyncDispatcher handler = new SyncDispatcher()) {
            yahoo.reply(HttpReply.json("{\"chart\":{}}"));
            YahooRestSource source = new YahooRestSource("yahoo.source", handler, yahoo.url("/"), "MSFT",
                    RestSource.Options.defaults().withRequestInterval(Duration.ofMinutes(1))
                            .withClient(yahoo.client(time)).withClock(time).withScheduler(time));
            EventRecorder<RestSource.Poll> data = EventRecorder.of(source, RestSource.DATA);

            source.start();
            try {
                time.runUntilIdle(); // the first poll, its exchange on loopback and its DATA, on this thread

                assertThat(data.values()).singleElement()
                        .satisfies(poll -> assertThat(poll.body().path("chart").isObject()).isTrue());
                assertThat(yahoo.requests()).singleElement().satisfies(request -> {
                    assertThat(request.getUrl().encodedPath()).isEqualTo("/v8/finance/chart/MSFT");
                    assertThat(request.getUrl().queryParameter("interval")).isEqualTo("1m");
                    assertThat(request.getUrl().queryParameter("range")).isEqualTo("1d");
                    assertThat(request.getHeaders().get("User-Agent")).startsWith("Mozilla/5.0 ").contains("Chrome/");
                    assertThat(request.getHeaders().values("Accept")).containsExactly("application/json");
                });
                assertThat(source.symbol()).isEqualTo("MSFT");
            } finally {
                source.stop();
            }
        }
    }
}
