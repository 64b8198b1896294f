package io.pipeline.examples.stock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipeline.testing.ThreadLeaks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuoteServerTest {
    // Friday 2026-11-20 16:00 New York (EST): the regular session.
    private static final Instant NOW = Instant.parse("2026-11-20T21:00:00Z").minusSeconds(3600);
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(QuoteServer server, String path) throws IOException, InterruptedException {
        return http.send(java.net.http.HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void chart_anySymbol_servesAQuoteHandleRawDataAccepts() throws Exception {
        try (QuoteServer server = QuoteServer.start(42, CLOCK)) {
            HttpResponse<String> response = get(server, "/v8/finance/chart/brk.b?interval=1m&range=1d");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            Quote quote = HandleRawData.parse("BRK.B", NOW, MAPPER.readTree(response.body()));
            assertThat(quote.symbol()).isEqualTo("BRK.B");
            assertThat(quote.currency()).isEqualTo("USD");
            assertThat(quote.exchange()).isEqualTo("SIM");
            assertThat(quote.marketTime()).isEqualTo(NOW);
            assertThat(quote.marketState()).isEqualTo(MarketState.REGULAR);
            assertThat(quote.price()).isPositive();
            assertThat(quote.change()).isNotNull();
            assertThat(quote.dayLow()).isLessThanOrEqualTo(quote.price());
            assertThat(quote.dayHigh()).isGreaterThanOrEqualTo(quote.price());
            assertThat(quote.volume()).isPositive();
        }
    }

    @Test
    void chart_sameSeed_walksTheSamePrices() throws Exception {
        assertThat(prices(7, "AAPL", 5)).isEqualTo(prices(7, "AAPL", 5)).doesNotHaveDuplicates();
        assertThat(prices(7, "AAPL", 5)).isNotEqualTo(prices(8, "AAPL", 5));
    }

    private List<String> prices(long seed, String symbol, int count) throws Exception {
        List<String> prices = new ArrayList<>();
        try (QuoteServer server = QuoteServer.start(seed, CLOCK)) {
            for (int i = 0; i < count; i++) {
                JsonNode body = MAPPER.readTree(get(server, "/v8/finance/chart/" + symbol).body());
                prices.add(body.at("/chart/result/0/meta/regularMarketPrice").asText());
            }
        }
        return prices;
    }

    @Test
    void unknownPathOrMalformedSymbol_answers404WithChartError() throws Exception {
        try (QuoteServer server = QuoteServer.start(42, CLOCK)) {
            for (String path : List.of("/v7/finance/quote?symbols=AAPL", "/v8/finance/chart/%20bad%20")) {
                HttpResponse<String> response = get(server, path);

                assertThat(response.statusCode()).as(path).isEqualTo(404);
                JsonNode body = MAPPER.readTree(response.body());
                assertThat(body.at("/chart/result").isNull()).isTrue();
                assertThat(body.at("/chart/error/code").asText()).isEqualTo("Not Found");
            }
        }
    }

    @Test
    void close_endsTheServerThread() throws Exception {
        QuoteServer server = QuoteServer.start(42, CLOCK);
        get(server, "/v8/finance/chart/AAPL");

        server.close();

        ThreadLeaks.assertNoneAlive(name -> name.equals("quote-server"), Duration.ofSeconds(10));
    }
}
