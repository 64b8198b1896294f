package io.pipeline.examples.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandleCurrentTest {
    /** Open-Meteo's air-quality answer, as the issue quotes its shape (values made up). */
    private static final String AIR = "{\"latitude\":52.549995,\"longitude\":13.450001,\"generationtime_ms\":0.13,"
            + "\"utc_offset_seconds\":0,\"timezone\":\"GMT\",\"timezone_abbreviation\":\"GMT\","
            + "\"current_units\":{\"time\":\"iso8601\",\"interval\":\"seconds\",\"pm2_5\":\"μg/m³\","
            + "\"pm10\":\"μg/m³\",\"european_aqi\":\"EAQI\"},"
            + "\"current\":{\"time\":\"2026-12-01T10:15\",\"interval\":900,\"pm2_5\":8.1,\"pm10\":12.4,"
            + "\"european_aqi\":null}}";

    private final SyncDispatcher handler = new SyncDispatcher();
    private final ObjectMapper mapper = new ObjectMapper();
    private final Location berlin = Location.DEFAULTS.get(0);

    @AfterEach
    void close() {
        handler.close();
    }

    private RestSource.Poll poll(String body) throws Exception {
        return new RestSource.Poll(Instant.now(), 200, mapper.readTree(body), Headers.of());
    }

    @Test
    void current_becomesOneReadingPerSensor_withTheApisUnits_skippingNulls() throws Exception {
        List<Reading> readings = HandleCurrent.parse(berlin, Feed.AIR_QUALITY, mapper.readTree(AIR));
        Instant time = Instant.parse("2026-12-01T10:15:00Z");
        assertThat(readings).containsExactly(
                new Reading(time, "Berlin", "pm2_5", 8.1, "μg/m³"),
                new Reading(time, "Berlin", "pm10", 12.4, "μg/m³"));
    }

    @Test
    void handle_emitsTheReadingsOfEveryResponse_repeatsAreLeftToTheChainsDedup() throws Exception {
        List<Reading> emitted = new ArrayList<>();
        HandleCurrent current = new HandleCurrent("a.current", handler, berlin, Feed.AIR_QUALITY);
        current.on(HandleCurrent.READING, emitted::add);

        current.handle(poll(AIR));
        current.handle(poll(AIR.replace("10:15", "10:30")));

        assertThat(emitted).extracting(r -> r.time().toString() + " " + r.sensor()).containsExactly(
                "2026-12-01T10:15:00Z pm2_5", "2026-12-01T10:15:00Z pm10",
                "2026-12-01T10:30:00Z pm2_5", "2026-12-01T10:30:00Z pm10");
    }

    @Test
    void errorBodyOrBadTime_isAnError_namingTheLocationAndFeed() throws Exception {
        List<Throwable> errors = new ArrayList<>();
        HandleCurrent current = new HandleCurrent("c.current", handler, berlin, Feed.WEATHER);
        current.on(Processor.ERROR, errors::add);

        current.handle(poll("{\"error\":true,\"reason\":\"Latitude must be in range of -90 to 90°.\"}"));

        assertThat(errors).singleElement().extracting(Throwable::getMessage).isEqualTo("Berlin weather: the response has no 'current' object: "
                + "Latitude must be in range of -90 to 90°.");
        assertThatThrownBy(() -> HandleCurrent.parse(berlin, Feed.WEATHER,
                mapper.readTree("{\"current\":{\"time\":\"yesterday\"}}")))
                .hasMessage("Berlin weather: current.time is not an ISO local date-time: \"yesterday\"");
    }

    @Test
    void url_isExactlyOpenMeteosDocumentedQuery() {
        assertThat(OpenMeteoManager.url("https://api.open-meteo.com", Feed.WEATHER, berlin)).isEqualTo(
                "https://api.open-meteo.com/v1/forecast?latitude=52.52&longitude=13.41"
                        + "&current=temperature_2m,relative_humidity_2m,wind_speed_10m&timezone=UTC");
        assertThat(OpenMeteoManager.url("https://air-quality-api.open-meteo.com", Feed.AIR_QUALITY,
                new Location("London", 51.51, -0.13))).isEqualTo(
                "https://air-quality-api.open-meteo.com/v1/air-quality?latitude=51.51&longitude=-0.13"
                        + "&current=pm2_5,pm10,european_aqi&timezone=UTC");
    }
}
