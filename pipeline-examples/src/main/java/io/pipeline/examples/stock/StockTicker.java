package io.pipeline.examples.stock;

import io.pipeline.core.RestartPolicy;
import io.pipeline.examples.ProgramRun;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The stock ticker the aiopype README walks through, as a program: polls quotes for one or more symbols, prints
 * one line per quote, appends every quote to a CSV file, and keeps running — a failing symbol's pipeline is
 * restarted — until Ctrl-C or the end of {@code --duration}.
 *
 * <pre>
 * java -jar pipeline-examples/target/stock-ticker.jar --symbol AAPL,MSFT --interval 2s --out quotes.csv
 * </pre>
 *
 * <p>Exit codes: 0 when stopped normally (end of {@code --duration}, Ctrl-C or SIGTERM, after every quote
 * received is in the CSV file), 1 when it cannot start or every pipeline failed for good, 2 for an invalid
 * command line. Not thread-safe: one instance parses and runs one command line.
 */
@Command(name = "stock-ticker", mixinStandardHelpOptions = true, version = "stock-ticker 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Polls stock quotes in Yahoo Finance's v8 chart format, prints one line per quote and appends every "
                    + "quote to a CSV file, until Ctrl-C or the end of --duration.",
            "",
            "Offline by default: an embedded server on a free loopback port serves simulated quotes (a seeded "
                    + "random walk) for any symbol. --live polls Yahoo Finance, an unofficial endpoint that may "
                    + "throttle or refuse scripted clients; --url polls any server speaking the same format.",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped normally (end of --duration, Ctrl-C, SIGTERM)",
            "1:could not start, or every symbol failed for good",
            "2:invalid command line"})
public final class StockTicker implements Callable<Integer> {
    /** Offline default interval. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    /** Live default interval. */
    static final Duration DEFAULT_LIVE_INTERVAL = Duration.ofSeconds(30);
    /** Consecutive failed polls after which a symbol's pipeline is restarted. */
    static final int EXCEPTION_THRESHOLD = 5;
    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9.^=\\-]{1,20}");

    @Spec
    private CommandSpec spec;

    @Option(names = {"-s", "--symbol"}, split = ",", paramLabel = "SYMBOL", defaultValue = "AAPL",
            description = "Symbol to follow; repeat the option or separate with commas (default: ${DEFAULT-VALUE}).")
    private List<String> symbols = new ArrayList<>();

    @Option(names = {"-i", "--interval"}, paramLabel = "DURATION", converter = Durations.class,
            description = "Time between polls of each symbol: 5s, 500ms, 1m or ISO-8601 like PT5S "
                    + "(default: 2s; 30s with --live, which allows no less than 15s).")
    private Duration interval;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", defaultValue = "quotes.csv",
            description = "CSV file to append quotes to; the header is written when it is new; one ticker per file "
                    + "(default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", converter = Durations.class,
            description = "Stop after this long (default: run until Ctrl-C).")
    private Duration duration;

    @Option(names = "--live", description = "Poll Yahoo Finance (" + YahooRestSource.LIVE_BASE_URL + ").")
    private boolean live;

    @Option(names = "--url", paramLabel = "BASE",
            description = "Poll the server at BASE instead, e.g. http://localhost:8080: "
                    + "GET BASE/v8/finance/chart/SYMBOL?interval=1m&range=1d.")
    private String url;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the embedded server's simulated prices (default: ${DEFAULT-VALUE}).")
    private long seed;

    private final PrintStream stdout;
    private final boolean handleSignals;

    StockTicker(PrintStream stdout, boolean handleSignals) {
        this.stdout = stdout;
        this.handleSignals = handleSignals;
    }

    /**
     * Runs the ticker from the command line; exits with its exit code. On SIGINT or SIGTERM, a shutdown hook
     * closes the pipelines, so every quote received is in the CSV file, and the JVM exits with 0.
     */
    public static void main(String[] args) {
        System.exit(execute(System.out, System.err, true, args));
    }

    /**
     * Runs the ticker in this JVM, printing to {@link System#out} and {@link System#err}, and returns its exit
     * code instead of exiting; installs no shutdown hook. Without {@code --duration}, it returns only when
     * interrupted.
     */
    public static int run(String... args) {
        return execute(System.out, System.err, false, args);
    }

    static int execute(PrintStream out, PrintStream err, boolean handleSignals, String... args) {
        CommandLine commandLine = new CommandLine(new StockTicker(out, handleSignals));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        TickerConfig config = config();
        Console console = new Console(line -> {
            stdout.println(line);
            stdout.flush();
        }, config.clock());
        Ticker ticker;
        try {
            ticker = Ticker.start(config, console);
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("stock-ticker: cannot start: " + Console.describe(e));
            return 1;
        }
        return new ProgramRun("stock-ticker", stdout, spec.commandLine().getErr(), Console::describe)
                .run(ticker, duration, handleSignals, "every symbol failed for good; see the errors above");
    }

    /** Validates the options and resolves their defaults. */
    TickerConfig config() {
        CommandLine commandLine = spec.commandLine();
        if (live && url != null) {
            throw new ParameterException(commandLine, "--live and --url cannot be combined: --live polls "
                    + YahooRestSource.LIVE_BASE_URL);
        }
        String baseUrl = null;
        if (live) {
            baseUrl = YahooRestSource.LIVE_BASE_URL;
        } else if (url != null) {
            HttpUrl parsed = HttpUrl.parse(url.trim());
            if (parsed == null) {
                throw new ParameterException(commandLine, "Invalid value for option '--url': '" + url
                        + "' is not an http or https URL");
            }
            baseUrl = parsed.toString();
        }
        Duration resolvedInterval = interval != null ? interval : live ? DEFAULT_LIVE_INTERVAL : DEFAULT_INTERVAL;
        if (live && resolvedInterval.compareTo(YahooRestSource.LIVE_MIN_INTERVAL) < 0) {
            throw new ParameterException(commandLine, "Invalid value for option '--interval': "
                    + Durations.format(resolvedInterval) + " is too short for --live; Yahoo Finance throttles "
                    + "scripted clients, poll every " + Durations.format(YahooRestSource.LIVE_MIN_INTERVAL)
                    + " or slower");
        }
        Path file = out.toAbsolutePath().normalize();
        if (Files.isDirectory(file)) {
            throw new ParameterException(commandLine, "Invalid value for option '--out': " + out + " is a directory");
        }
        if (file.getParent() != null && !Files.isDirectory(file.getParent())) {
            throw new ParameterException(commandLine, "Invalid value for option '--out': directory "
                    + file.getParent() + " does not exist");
        }
        RestartPolicy restartPolicy = live
                ? RestartPolicy.backoff(Duration.ofSeconds(30), Duration.ofMinutes(10))
                : RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        return new TickerConfig(symbols(commandLine), resolvedInterval, out, baseUrl, seed, EXCEPTION_THRESHOLD,
                restartPolicy, Clock.systemUTC());
    }

    private List<String> symbols(CommandLine commandLine) {
        Set<String> unique = new LinkedHashSet<>();
        for (String symbol : symbols) {
            String normalised = symbol.trim().toUpperCase(Locale.ROOT);
            if (!SYMBOL.matcher(normalised).matches()) {
                throw new ParameterException(commandLine, "Invalid value for option '--symbol': '" + symbol
                        + "' is not a ticker symbol (1 to 20 letters, digits or . ^ = -)");
            }
            unique.add(normalised);
        }
        if (unique.isEmpty()) {
            throw new ParameterException(commandLine, "Missing value for option '--symbol'");
        }
        return List.copyOf(unique);
    }
}
