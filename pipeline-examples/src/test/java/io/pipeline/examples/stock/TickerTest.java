package io.pipeline.examples.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.pipeline.core.RestartPolicy;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.ScriptedHttpEndpoint;
import io.pipeline.testing.ThreadLeaks;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import java.util.function.Predicate;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole ticker against a scripted endpoint speaking Yahoo's v8 chart format, good responses and bad. */
class TickerTest {
    private static final int THRESHOLD = 3;
    private static final String NOT_FOUND = "{\"chart\":{\"result\":null,\"error\":{\"code\":\"Not Found\","
            + "\"description\":\"No data found, symbol may be delisted\"}}}";

    @TempDir
    Path dir;

    private final ScriptedHttpEndpoint server = ScriptedHttpEndpoint.start();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private Ticker ticker;

    @AfterEach
    void tearDown() throws Exception {
        if (ticker != null) {
            ticker.close();
        }
        server.close();
        assertNoTickerThreadAlive();
    }

    private static HttpReply json(int code, String body) {
        return HttpReply.json(code, body);
    }

    private static HttpReply quote(String symbol, String price) {
        return json(200, "{\"chart\":{\"result\":[{\"meta\":{\"currency\":\"USD\",\"symbol\":\"" + symbol + "\","
                + "\"exchangeName\":\"NMS\",\"regularMarketTime\":1763652600,\"regularMarketPrice\":" + price + ","
                + "\"previousClose\":100,\"regularMarketDayHigh\":110,\"regularMarketDayLow\":90,"
                + "\"regularMarketVolume\":1000}}],\"error\":null}}");
    }

    /** Serves {@code script} in order, then an unknown-symbol 404 (an error, never a row) for ever. */
    private void serve(List<HttpReply> script) {
        server.reply(script.toArray(HttpReply[]::new)).otherwise(n -> json(404, NOT_FOUND));
    }

    /** Serves a quote at {@code price} of whichever symbol is asked for (the path's last segment). */
    private void serveQuotes(Function<String, String> price) {
        server.otherwiseByRequest(request -> {
            String symbol = request.getUrl().pathSegments().get(3);
            return quote(symbol, price.apply(symbol));
        });
    }

    private Ticker start(String... symbols) {
        TickerConfig config = new TickerConfig(List.of(symbols), Duration.ofMillis(20), dir.resolve("quotes.csv"),
                server.url("/"), 0, THRESHOLD,
                RestartPolicy.backoff(Duration.ofMillis(10), Duration.ofMillis(50)), Clock.systemUTC());
        ticker = Ticker.start(config, new Console(lines::add, Clock.systemUTC()));
        return ticker;
    }

    /** Waits (bounded) for the console line {@code expected} describes, keeping every line seen. */
    private String awaitLine(String description, Predicate<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            String line = lines.poll(deadline - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
            if (line == null) {
                return fail("no console line " + description + " within 10 s; lines: " + seen);
            }
            seen.add(line);
            if (expected.test(line)) {
                return line;
            }
        }
    }

    @Test
    void ticker_throughBadResponsesAndA500Burst_restartsAndWritesExactlyTheGoodQuotes() throws Exception {
        List<HttpReply> script = new ArrayList<>(List.of(
                quote("AAPL", "101.5"),
                json(404, NOT_FOUND),
                quote("AAPL", "102"),
                quote("AAPL", "null"),
                json(200, "{\"chart\":{\"result\":[{\"meta\":"),
                json(200, NOT_FOUND),
                quote("AAPL", "103")));
        for (int i = 0; i <= THRESHOLD; i++) { // one more than the threshold, whether it counts > or >=
            script.add(json(500, "{\"error\":\"boom\"}"));
        }
        script.add(quote("AAPL", "104"));
        serve(script);

        start("AAPL");
        awaitLine("with the quote at 104", line -> line.contains(" AAPL ") && line.contains(" 104 USD"));
        ticker.close();

        assertThat(CsvRows.read(dir.resolve("quotes.csv"))).extracting(row -> row.price().toPlainString())
                .containsExactly("101.5", "102", "103", "104");
        String untilTheLastQuote = String.join("\n", seen);
        assertThat(untilTheLastQuote)
                .contains("AAPL    error: GET " + server.url("/v8/finance/chart/AAPL"))
                .contains("(HTTP 404)")
                .contains("AAPL: regularMarketPrice is missing or not a number: null")
                .contains("body is not valid JSON")
                .contains("AAPL: the quote service answered with an error: Not Found")
                .contains("(HTTP 500)")
                .containsPattern("manager yahoo-aapl failed: polling \\S+ failed " + THRESHOLD + " times in a row; "
                        + ".*\\(HTTP 500\\).*; restarting in \\d+\\.\\d s \\(restart 1\\)");
        assertThat(String.join("\n", lines))
                .contains("stock-ticker: stopped; 4 quotes written to " + dir.resolve("quotes.csv"));
        assertThat(ticker.flow().status()).allSatisfy(status -> assertThat(status.restarts()).isGreaterThanOrEqualTo(1));
    }

    @Test
    void ticker_twoSymbols_shareOneFile_eachWithItsOwnRows() throws Exception {
        serveQuotes(symbol -> symbol.equals("AAPL") ? "200" : "50");

        start("AAPL", "MSFT");
        awaitLine("completing three quotes of each symbol", line -> quotesSeen("AAPL") >= 3 && quotesSeen("MSFT") >= 3);
        ticker.close();

        List<CsvRows.Row> rows = CsvRows.read(dir.resolve("quotes.csv"));
        assertThat(rows).extracting(CsvRows.Row::symbol).contains("AAPL", "MSFT").containsOnly("AAPL", "MSFT");
        assertThat(rows).allSatisfy(row -> assertThat(row.price().toPlainString())
                .isEqualTo(row.symbol().equals("AAPL") ? "200" : "50"));
        RecordedRequest request = server.awaitRequest(1, Duration.ZERO);
        assertThat(request.getUrl().encodedPath()).matches("/v8/finance/chart/(AAPL|MSFT)");
        assertThat(request.getUrl().query()).isEqualTo("interval=1m&range=1d");
    }

    @Test
    void secondTicker_onTheSameOut_failsToStartClearly_theFirstKeepsWriting() throws Exception {
        serveQuotes(symbol -> "200");
        start("AAPL");
        awaitLine("with a first quote", line -> quotesSeen("AAPL") >= 1);
        TickerConfig same = new TickerConfig(List.of("MSFT"), Duration.ofMillis(20), dir.resolve("quotes.csv"),
                server.url("/"), 0, THRESHOLD,
                RestartPolicy.backoff(Duration.ofMillis(10), Duration.ofMillis(50)), Clock.systemUTC());

        assertThatThrownBy(() -> Ticker.start(same, new Console(line -> {}, Clock.systemUTC())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dir.resolve("quotes.csv").toString())
                .hasMessageContaining("one writer per file");

        awaitLine("with three more quotes", line -> quotesSeen("AAPL") >= 4);
        ticker.close();
        lines.drainTo(seen); // the quotes printed after the fourth, before the close took effect
        List<CsvRows.Row> rows = CsvRows.read(dir.resolve("quotes.csv")); // one header, whole rows
        assertThat(rows).extracting(CsvRows.Row::symbol).containsOnly("AAPL");
        assertThat(rows).hasSize((int) quotesSeen("AAPL"));
    }

    private long quotesSeen(String symbol) {
        return seen.stream().filter(line -> line.contains(" " + symbol + " ") && line.contains(" USD ")).count();
    }

    @Test
    void close_endsEveryThreadTheTickerStarted() throws Exception {
        serve(List.of());
        start("AAPL");
        awaitLine("with an error", line -> line.contains("error:"));

        ticker.close();
        ticker.close(); // idempotent

        assertNoTickerThreadAlive();
    }

    private static void assertNoTickerThreadAlive() throws InterruptedException {
        ThreadLeaks.assertNoneAlive(name -> name.startsWith("stock-ticker-") || name.equals("quote-server")
                || name.startsWith("pipeline-dispatcher-") || name.startsWith("pipeline-flow-"),
                Duration.ofSeconds(10));
    }
}
