package io.pipeline.examples.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.ScriptedHttpEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's live analytics example against a loopback server speaking Open-Meteo's format. */
class SensorManagerTest {

    static HttpReply current(LocalDateTime time, double celsius) {
        return HttpReply.json("{\"current\":{\"time\":\"" + time + "\",\"temperature_2m\":" + celsius + "}}");
    }

    @Test
    void calmReadingsThenAHotSpike_statsPerNewReading_oneAnomaly_oneHeatAlert(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("berlin.jsonl");
        try (ScriptedHttpEndpoint server = ScriptedHttpEndpoint.start()) {
            LocalDateTime t0 = LocalDateTime.parse("2026-03-01T00:00");
            for (int i = 0; i < 26; i++) {
                double celsius = i < 25 ? 10 + (i % 3) * 0.5 : 31;
                server.replyTimes(2, current(t0.plusMinutes(15L * i), celsius)); // polled again within the quarter
            }
            server.replyTimes(3, HttpReply.status(500)); // then the source gives up
            String url = server.url("/v1/forecast");
            try (Flow flow = Flow.builder()
                    .handler(new SyncDispatcher())
                    .restartPolicy(RestartPolicy.never())
                    .errorReporter(error -> { })
                    .manager(handler -> new SensorManager(handler, "berlin", url, Duration.ofMillis(5), out, 3))
                    .build()) {
                flow.start();
                assertThat(flow.awaitTermination(Duration.ofSeconds(20))).isTrue();
            }
        }
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).filteredOn(l -> l.startsWith("{\"kind\":\"stats\"")).hasSize(26);
        assertThat(lines).filteredOn(l -> l.startsWith("{\"kind\":\"anomaly\"")).singleElement()
                .satisfies(l -> assertThat(l).contains("\"value\":31.0").contains("\"key\":\"berlin\""));
        assertThat(lines).filteredOn(l -> l.startsWith("{\"kind\":\"alert\"")).singleElement()
                .satisfies(l -> assertThat(l).contains("\"state\":\"RAISED\"").contains("\"rule\":\"heat\""));
    }
}
