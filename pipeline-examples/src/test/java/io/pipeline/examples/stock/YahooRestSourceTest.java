package io.pipeline.examples.stock;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
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
    void poll_sendsTheBrowserHeadersTheLiveEndpointExpects() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (MockWebServer server = new MockWebServer(); SyncDispatcher handler = new SyncDispatcher()) {
            server.start(InetAddress.getLoopbackAddress(), 0);
            server.enqueue(new MockResponse.Builder().code(200).body("{\"chart\":{}}").build());
            YahooRestSource source = new YahooRestSource("yahoo.source", handler, server.url("/").toString(), "MSFT",
                    RestSource.Options.defaults().withRequestInterval(Duration.ofMinutes(1)).withScheduler(scheduler));
            CompletableFuture<RestSource.Poll> data = new CompletableFuture<>();
            source.on(RestSource.DATA, data::complete);

            source.start();
            try {
                assertThat(data.get(5, SECONDS).body().path("chart").isObject()).isTrue();
                RecordedRequest request = server.takeRequest(5, SECONDS);
                assertThat(request.getUrl().encodedPath()).isEqualTo("/v8/finance/chart/MSFT");
                assertThat(request.getUrl().queryParameter("interval")).isEqualTo("1m");
                assertThat(request.getUrl().queryParameter("range")).isEqualTo("1d");
                assertThat(request.getHeaders().get("User-Agent")).startsWith("Mozilla/5.0 ").contains("Chrome/");
                assertThat(request.getHeaders().values("Accept")).containsExactly("application/json");
                assertThat(source.symbol()).isEqualTo("MSFT");
            } finally {
                source.stop();
            }
        } finally {
            scheduler.shutdownNow();
            assertThat(scheduler.awaitTermination(5, SECONDS)).isTrue();
        }
    }
}
