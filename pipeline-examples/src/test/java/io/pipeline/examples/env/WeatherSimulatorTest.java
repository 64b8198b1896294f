package io.pipeline.examples.env;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipeline.testing.ThreadLeaks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WeatherSimulatorTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:15:00Z"), ZoneOffset.UTC);

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();
    private WeatherSimulator simulator;

    @AfterEach
    void close() throws InterruptedException {
        simulator.close();
        ThreadLeaks.assertNoneAlive(name -> name.equals("weather-simulator"), Duration.ofSeconds(10));
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersInOpenMeteosShape_oneStepPerRequest() throws Exception {
        simulator = WeatherSimulator.start(1, CLOCK, Duration.ofMinutes(15));
        String url = OpenMeteoManager.url(simulator.baseUrl(), Feed.WEATHER, Location.DEFAULTS.get(0))
                .substring(simulator.baseUrl().length());

        JsonNode first = mapper.readTree(get(url).body());
        JsonNode second = mapper.readTree(get(url).body());

        assertThat(first.path("latitude").asDouble()).isEqualTo(52.52);
        assertThat(first.path("timezone").asText()).isEqualTo("GMT");
        assertThat(first.path("current_units").path("temperature_2m").asText()).isEqualTo("°C");
        assertThat(first.path("current_units").path("relative_humidity_2m").asText()).isEqualTo("%");
        JsonNode current = first.path("current");
        assertThat(current.path("time").asText()).isEqualTo("2026-12-01T10:15");
        assertThat(current.path("interval").asInt()).isEqualTo(900);
        assertThat(current.path("temperature_2m").isNumber()).isTrue();
        assertThat(current.path("wind_speed_10m").isNumber()).isTrue();
        assertThat(second.path("current").path("time").asText()).isEqualTo("2026-12-01T10:30");
        List<Reading> parsed = HandleCurrent.parse(Location.DEFAULTS.get(0), Feed.WEATHER, first);
        assertThat(parsed).extracting(Reading::sensor)
                .containsExactly("temperature_2m", "relative_humidity_2m", "wind_speed_10m");
    }

    @Test
    void plantedEpisode_crossesTheGuideline_andNothingElseComesNearIt() throws Exception {
        simulator = WeatherSimulator.start(7, CLOCK, Duration.ofSeconds(1));
        String url = OpenMeteoManager.url(simulator.baseUrl(), Feed.AIR_QUALITY, Location.DEFAULTS.get(2))
                .substring(simulator.baseUrl().length());
        List<Double> pm25 = new ArrayList<>();
        for (int k = 0; k < WeatherSimulator.CYCLE; k++) {
            pm25.add(mapper.readTree(get(url).body()).path("current").path("pm2_5").asDouble());
        }
        for (int k = 0; k < pm25.size(); k++) {
            boolean episode = k >= WeatherSimulator.EPISODE_FIRST && k <= WeatherSimulator.EPISODE_LAST;
            if (episode) {
                assertThat(pm25.get(k)).as("step %d", k).isGreaterThan(15);
            } else {
                assertThat(pm25.get(k)).as("step %d", k).isLessThan(12);
            }
        }
    }

    @Test
    void unknownVariableOrMissingCoordinates_getOpenMeteosErrorBody() throws Exception {
        simulator = WeatherSimulator.start(1, CLOCK, Duration.ofSeconds(1));

        HttpResponse<String> unknown = get("/v1/forecast?latitude=1&longitude=2&current=ozone");
        HttpResponse<String> noCoordinates = get("/v1/air-quality?current=pm10");
        HttpResponse<String> otherPath = get("/v1/archive");

        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(mapper.readTree(unknown.body()).path("error").asBoolean()).isTrue();
        assertThat(mapper.readTree(unknown.body()).path("reason").asText()).contains("invalid String value ozone");
        assertThat(noCoordinates.statusCode()).isEqualTo(400);
        assertThat(otherPath.statusCode()).isEqualTo(404);
    }
}
