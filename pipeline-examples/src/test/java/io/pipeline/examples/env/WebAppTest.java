package io.pipeline.examples.env;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.output.SseOutput;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The page's endpoints over a history filled by hand, served on a real SseOutput. */
class WebAppTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final SyncDispatcher handler = new SyncDispatcher();
    private final History history = new History();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();
    private SseOutput web;

    @BeforeEach
    void serve() {
        web = new SseOutput("web", handler, SseOutput.Options.defaults().withMapper(Monitor.mapper()));
        web.mount("/", new WebApp(history, Monitor.mapper(), MonitorTest.config(Path.of("h.jsonl"),
                Duration.ofSeconds(2))));
    }

    @AfterEach
    void close() {
        web.close();
        handler.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(web.baseUri() + path.substring(1))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void add(int second, double value) {
        history.add(new Stats(T0.plusSeconds(second), "Berlin", "pm2_5", value, "μg/m³", 1, value, 0, 0));
    }

    @Test
    void series_raw_isTheRangeBeforeTheLatestReading_withItsAnomalies() throws Exception {
        add(0, 1);
        add(20 * 60, 2);
        add(30 * 60, 3);
        history.add(new Anomaly(T0.plusSeconds(30 * 60), "Berlin", "pm2_5", 3, "μg/m³", 1, 0.5, 4));
        history.add(new Anomaly(T0, "Berlin", "pm2_5", 1, "μg/m³", 1, 0.5, 4)); // outside the range

        JsonNode body = mapper.readTree(get("/api/series?location=Berlin&sensor=pm2_5&range=15m&agg=raw").body());

        assertThat(body.path("points")).extracting(p -> p.path("t").asText() + " " + p.path("v").asDouble())
                .containsExactly("2026-12-01T10:20:00Z 2.0", "2026-12-01T10:30:00Z 3.0");
        assertThat(body.path("anomalies")).extracting(a -> a.path("time").asText())
                .containsExactly("2026-12-01T10:30:00Z");
        assertThat(body.path("unit").asText()).isEqualTo("μg/m³");
    }

    @Test
    void series_oneMinuteMeans_areStampedWithTheirBucketsStart() throws Exception {
        add(0, 1);
        add(30, 3);
        add(59, 5);
        add(60, 10);
        add(150, 20);

        JsonNode body = mapper.readTree(get("/api/series?location=Berlin&sensor=pm2_5&range=1h&agg=1m").body());

        assertThat(body.path("points")).extracting(p -> p.path("t").asText() + " " + p.path("v").asDouble())
                .containsExactly("2026-12-01T10:00:00Z 3.0", "2026-12-01T10:01:00Z 10.0", "2026-12-01T10:02:00Z 20.0");
        assertThat(History.aggregate(List.of(), Duration.ofMinutes(5))).isEmpty();
    }

    @Test
    void badParameters_are400sNamingThem_andThePageIsServed() throws Exception {
        assertThat(get("/api/series?location=Berlin&sensor=ozone").body()).isEqualTo("unknown sensor: ozone\n");
        assertThat(get("/api/series?location=Berlin&sensor=pm2_5&range=2d").statusCode()).isEqualTo(400);
        assertThat(get("/api/series?location=Berlin&sensor=pm2_5&agg=10m").body())
                .isEqualTo("aggregation must be raw, 1m or 5m: '10m'\n");
        assertThat(get("/api/series?sensor=pm2_5").body()).isEqualTo("missing parameter: location\n");
        assertThat(get("/nope").statusCode()).isEqualTo(404);

        HttpResponse<String> page = get("/");
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<title>env-monitor</title>").doesNotContain("http://", "https://");
        assertThat(get("/app.js").body()).contains("new EventSource(\"/events\")");
        JsonNode config = mapper.readTree(get("/api/config").body());
        assertThat(config.path("locations")).extracting(l -> l.path("name").asText())
                .containsExactly("Berlin", "London", "Delhi");
        assertThat(config.path("sensors").get(3).path("above").asDouble()).isEqualTo(15);
    }

    @Test
    void alerts_newestFirst() throws Exception {
        for (int i = 0; i < 3; i++) {
            history.add(new Alert(T0.plusSeconds(i), "Berlin", "pm2_5", Alert.Kind.THRESHOLD,
                    i % 2 == 0 ? Alert.State.RAISED : Alert.State.CLEARED, 16, 15, "alert " + i));
        }
        JsonNode alerts = mapper.readTree(get("/api/alerts").body());
        assertThat(alerts).extracting(a -> a.path("message").asText()).containsExactly("alert 2", "alert 1", "alert 0");
    }
}
