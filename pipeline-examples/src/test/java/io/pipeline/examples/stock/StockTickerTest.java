package io.pipeline.examples.stock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import picocli.CommandLine;

class StockTickerTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /**
     * Loading and initialising OkHttp, Jackson and the JDK's HTTP server takes up to seconds in a fresh JVM on a
     * busy machine. Done once here, so that the time-boxed runs below measure polling, not class loading.
     */
    @BeforeAll
    static void warmUpTheHttpStack() throws Exception {
        OkHttpClient client = new OkHttpClient();
        try (QuoteServer server = QuoteServer.start(1, Clock.systemUTC());
             Response response = client.newCall(new Request.Builder()
                     .url(YahooRestSource.chartUrl(server.baseUrl(), "WARM")).build()).execute()) {
            HandleRawData.parse("WARM", Instant.now(), new ObjectMapper().readTree(response.body().bytes()));
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }

    private int run(String... args) {
        return StockTicker.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void run_offlineForADuration_writesWellFormedRowsForEverySymbol_andExits0() throws Exception {
        Path csv = dir.resolve("quotes.csv");

        int code = run("--symbol", "AAPL,msft", "--symbol", "BRK.B", "--interval", "100ms", "--duration", "1500ms",
                "--out", csv.toString());

        assertThat(code).as("exit code; stderr: %s", err()).isZero();
        List<CsvRows.Row> rows = CsvRows.read(csv);
        Map<String, List<CsvRows.Row>> bySymbol = rows.stream().collect(Collectors.groupingBy(CsvRows.Row::symbol));
        assertThat(bySymbol).containsOnlyKeys("AAPL", "MSFT", "BRK.B");
        bySymbol.forEach((symbol, list) -> {
            assertThat(list).as("rows of %s", symbol).hasSizeGreaterThanOrEqualTo(2);
            assertThat(list).extracting(CsvRows.Row::pollTime).as("poll times of %s", symbol)
                    .isSortedAccordingTo(Comparator.naturalOrder()).doesNotHaveDuplicates();
        });
        assertThat(rows).allSatisfy(row -> assertThat(row.line()).endsWith(",SIM").contains(",USD,"));
        // every quote printed is in the file, and the closing line counts them
        long printed = out().lines().filter(line -> line.matches("\\S+Z  (AAPL|MSFT|BRK\\.B) .*")).count();
        assertThat(printed).isEqualTo(rows.size());
        assertThat(out()).startsWith("stock-ticker: polling AAPL, MSFT, BRK.B every 100ms from http://127.0.0.1:")
                .contains("stock-ticker: stopped; " + rows.size() + " quotes written to " + csv);
    }

    @Test
    void run_twiceOnTheSameFile_appendsWithoutRepeatingTheHeader() throws Exception {
        Path csv = dir.resolve("quotes.csv");

        assertThat(run("-s", "AAPL", "-i", "100ms", "-d", "500ms", "-o", csv.toString())).isZero();
        int first = CsvRows.read(csv).size();
        assertThat(first).isPositive();
        assertThat(run("-s", "AAPL", "-i", "100ms", "-d", "500ms", "-o", csv.toString())).isZero();

        assertThat(CsvRows.read(csv)).hasSizeGreaterThan(first); // read() asserts one header, whole rows
    }

    @Test
    void run_withUrl_pollsThatServerInsteadOfStartingOne() throws Exception {
        Path csv = dir.resolve("quotes.csv");
        try (QuoteServer other = QuoteServer.start(7, Clock.systemUTC())) {
            int code = run("--url", other.baseUrl() + "/", "-s", "MSFT", "-i", "100ms", "-d", "1s",
                    "-o", csv.toString());

            assertThat(code).as("exit code; stderr: %s", err()).isZero();
            assertThat(out()).startsWith("stock-ticker: polling MSFT every 100ms from " + other.baseUrl() + "/;");
        }
        assertThat(CsvRows.read(csv)).as("rows; stdout: %s", out()).isNotEmpty()
                .allSatisfy(row -> assertThat(row.symbol()).isEqualTo("MSFT"));
    }

    @Test
    void help_listsTheOptions_andExits0() {
        assertThat(run("--help")).isZero();

        assertThat(out()).contains("Usage: stock-ticker", "--symbol", "--interval", "--out", "--duration", "--live",
                "--url");
    }

    @Test
    void badValues_areUsageErrors_withExitCode2() {
        Path directory = dir;
        Map<List<String>, String> cases = Map.of(
                List.of("--interval", "soon"), "Invalid value for option '--interval': 'soon' is not a duration",
                List.of("--duration", "0s"), "'0s' is not a positive duration",
                List.of("--live", "--interval", "5s"), "5s is too short for --live",
                List.of("--live", "--url", "http://localhost:1"), "--live and --url cannot be combined",
                List.of("--url", "ftp://example.com"), "'ftp://example.com' is not an http or https URL",
                List.of("--symbol", "A B"), "'A B' is not a ticker symbol",
                List.of("--out", directory.toString()), directory + " is a directory",
                List.of("--out", directory.resolve("missing/q.csv").toString()), "does not exist",
                List.of("--bogus"), "Unknown option: '--bogus'");
        cases.forEach((args, message) -> {
            out.reset();
            err.reset();

            int code = run(args.toArray(String[]::new));

            assertThat(code).as("exit code of %s", args).isEqualTo(2);
            assertThat(err()).as("stderr of %s", args).contains(message).contains("Usage: stock-ticker");
        });
        assertThat(directory.resolve("quotes.csv")).doesNotExist();
    }

    @Test
    void live_pollsYahooEvery30sWithSlowRestarts_andAcceptsIntervalsFrom15s() {
        StockTicker ticker = new StockTicker(new PrintStream(out, true, StandardCharsets.UTF_8), false);
        new CommandLine(ticker).parseArgs("--live", "-s", "aapl");

        TickerConfig config = ticker.config();

        assertThat(config.baseUrl()).isEqualTo("https://query1.finance.yahoo.com");
        assertThat(config.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.symbols()).containsExactly("AAPL");
        assertThat(config.restartPolicy().min()).isEqualTo(Duration.ofSeconds(30));

        StockTicker fifteen = new StockTicker(new PrintStream(out, true, StandardCharsets.UTF_8), false);
        new CommandLine(fifteen).parseArgs("--live", "--interval", "PT15S");
        assertThat(fifteen.config().interval()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void defaults_areOfflineEvery2sIntoQuotesCsv_withDuplicateSymbolsMerged() {
        StockTicker ticker = new StockTicker(new PrintStream(out, true, StandardCharsets.UTF_8), false);
        new CommandLine(ticker).parseArgs("-s", "msft,MSFT", "-s", "aapl");

        TickerConfig config = ticker.config();

        assertThat(config.embedded()).isTrue();
        assertThat(config.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.out()).isEqualTo(Path.of("quotes.csv"));
        assertThat(config.symbols()).containsExactly("MSFT", "AAPL");
    }
}
