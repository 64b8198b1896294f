package io.pipeline.examples.env;

import io.pipeline.core.RestartPolicy;
import io.pipeline.examples.ProgramRun;
import io.pipeline.examples.stock.Durations;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import okhttp3.HttpUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The live environmental dashboard, as a program: polls current weather and air quality for each location
 * (Open-Meteo's two APIs, or by default an embedded simulator of them), computes rolling statistics, trends,
 * anomalies and alerts, keeps every reading in a history file, prints one line per reading, and serves a page with
 * live charts over Server-Sent Events — until Ctrl-C or the end of {@code --duration}.
 *
 * <pre>
 * java -jar pipeline-examples/target/env-monitor.jar                 # offline; page at http://127.0.0.1:8080/
 * java -jar pipeline-examples/target/env-monitor.jar --live --location Paris=48.85,2.35
 * </pre>
 *
 * <p>Exit codes: 0 when stopped normally (end of {@code --duration}, Ctrl-C or SIGTERM, after every reading
 * received is in the history file), 1 when it cannot start or every pipeline failed for good, 2 for an invalid
 * command line. Not thread-safe: one instance parses and runs one command line.
 */
@Command(name = "env-monitor", mixinStandardHelpOptions = true, version = "env-monitor 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Polls current weather (temperature, humidity, wind) and air quality (PM2.5, PM10, European AQI) for "
                    + "each location, computes rolling means, trends, anomalies and threshold alerts, appends every "
                    + "reading to a history file, and serves a live dashboard, until Ctrl-C or the end of --duration.",
            "",
            "Offline by default: an embedded simulator of Open-Meteo's two APIs on a loopback port. --live polls "
                    + "api.open-meteo.com and air-quality-api.open-meteo.com (keyless; free for non-commercial "
                    + "use, about 10 000 calls a day); --url polls any server speaking the same format.",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped normally (end of --duration, Ctrl-C, SIGTERM)",
            "1:could not start, or every pipeline failed for good",
            "2:invalid command line"})
public final class EnvMonitor implements Callable<Integer> {
    /** Offline default interval. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    /** Live default interval: the APIs' current values change every 15 minutes. */
    static final Duration DEFAULT_LIVE_INTERVAL = Duration.ofMinutes(5);
    /** The shortest live interval allowed. */
    static final Duration LIVE_MIN_INTERVAL = Duration.ofMinutes(1);
    /** Consecutive failed polls after which a feed's pipeline is restarted. */
    static final int EXCEPTION_THRESHOLD = 5;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-l", "--location"}, paramLabel = "NAME=LAT,LON",
            description = "A place to monitor; repeat for more (default: Berlin=52.52,13.41, London=51.51,-0.13, "
                    + "Delhi=28.61,77.21).")
    private List<String> locations = new ArrayList<>();

    @Option(names = {"-i", "--interval"}, paramLabel = "DURATION", converter = Durations.class,
            description = "Time between polls of each feed: 2s, 500ms, 5m or ISO-8601 like PT5S "
                    + "(default: 2s; 5m with --live, which allows no less than 1m).")
    private Duration interval;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "8080",
            description = "Port of the dashboard; 0 for any free one, printed (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address the dashboard listens on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
    private String bind;

    @Option(names = {"-H", "--history"}, paramLabel = "FILE", defaultValue = "env-history.jsonl",
            description = "JSON Lines file every reading is appended to, and read back at start "
                    + "(default: ${DEFAULT-VALUE}).")
    private Path history;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", converter = Durations.class,
            description = "Stop after this long (default: run until Ctrl-C).")
    private Duration duration;

    @Option(names = "--live", description = "Poll the public Open-Meteo APIs.")
    private boolean live;

    @Option(names = "--url", paramLabel = "BASE",
            description = "Poll the server at BASE instead, for both feeds: BASE/v1/forecast and BASE/v1/air-quality.")
    private String url;

    @Option(names = {"-t", "--threshold"}, paramLabel = "SENSOR=LIMIT[:CLEAR]",
            description = "Alert when SENSOR rises above LIMIT, clear when it falls below CLEAR (default 90%% of "
                    + "LIMIT); replaces the default rule for that sensor. Defaults: pm2_5=15:12, pm10=45:40, "
                    + "temperature_2m=30:28.")
    private List<String> thresholds = new ArrayList<>();

    @Option(names = "--stale-after", paramLabel = "DURATION", converter = Durations.class,
            description = "Alert when a feed of a location has no new reading for this long (default: 5 intervals, "
                    + "at least 10s; at least 45m with --live).")
    private Duration staleAfter;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the embedded simulator (default: ${DEFAULT-VALUE}).")
    private long seed;

    private final PrintStream stdout;
    private final boolean handleSignals;

    EnvMonitor(PrintStream stdout, boolean handleSignals) {
        this.stdout = stdout;
        this.handleSignals = handleSignals;
    }

    /**
     * Runs the monitor from the command line; exits with its exit code. On SIGINT or SIGTERM, a shutdown hook
     * closes the pipelines, so every reading received is in the history file, and the JVM exits with 0.
     */
    public static void main(String[] args) {
        System.exit(execute(System.out, System.err, true, args));
    }

    /**
     * Runs the monitor in this JVM, printing to {@link System#out} and {@link System#err}, and returns its exit
     * code instead of exiting; installs no shutdown hook. Without {@code --duration}, it returns only when
     * interrupted.
     */
    public static int run(String... args) {
        return execute(System.out, System.err, false, args);
    }

    static int execute(PrintStream out, PrintStream err, boolean handleSignals, String... args) {
        CommandLine commandLine = new CommandLine(new EnvMonitor(out, handleSignals));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        MonitorConfig config = config();
        MonitorConsole console = new MonitorConsole(line -> {
            stdout.println(line);
            stdout.flush();
        }, config.clock());
        Monitor monitor;
        try {
            monitor = Monitor.start(config, console);
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("env-monitor: cannot start: " + MonitorConsole.describe(e));
            return 1;
        }
        return new ProgramRun("env-monitor", stdout, spec.commandLine().getErr(), MonitorConsole::describe)
                .run(monitor, duration, handleSignals, "every pipeline failed for good; see the errors above");
    }

    /** Validates the options and resolves their defaults. */
    MonitorConfig config() {
        CommandLine commandLine = spec.commandLine();
        if (live && url != null) {
            throw new ParameterException(commandLine, "--live and --url cannot be combined: --live polls Open-Meteo");
        }
        String baseUrl = null;
        if (url != null) {
            HttpUrl parsed = HttpUrl.parse(url.trim());
            if (parsed == null) {
                throw new ParameterException(commandLine, "Invalid value for option '--url': '" + url
                        + "' is not an http or https URL");
            }
            baseUrl = parsed.toString();
        }
        Duration resolvedInterval = interval != null ? interval : live ? DEFAULT_LIVE_INTERVAL : DEFAULT_INTERVAL;
        if (live && resolvedInterval.compareTo(LIVE_MIN_INTERVAL) < 0) {
            throw new ParameterException(commandLine, "Invalid value for option '--interval': "
                    + Durations.format(resolvedInterval) + " is too short for --live; Open-Meteo's current values "
                    + "change every 15 minutes, poll every " + Durations.format(LIVE_MIN_INTERVAL) + " or slower");
        }
        if (port < 0 || port > 65_535) {
            throw new ParameterException(commandLine, "Invalid value for option '--port': " + port
                    + " is not within 0..65535");
        }
        InetAddress host;
        try {
            host = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new ParameterException(commandLine, "Invalid value for option '--bind': unknown host '" + bind + "'");
        }
        Path file = history.toAbsolutePath().normalize();
        if (Files.isDirectory(file)) {
            throw new ParameterException(commandLine, "Invalid value for option '--history': " + history
                    + " is a directory");
        }
        if (file.getParent() != null && !Files.isDirectory(file.getParent())) {
            throw new ParameterException(commandLine, "Invalid value for option '--history': directory "
                    + file.getParent() + " does not exist");
        }
        Duration stale = staleAfter != null ? staleAfter : max(resolvedInterval.multipliedBy(5),
                live ? Duration.ofMinutes(45) : Duration.ofSeconds(10));
        RestartPolicy restartPolicy = live
                ? RestartPolicy.backoff(Duration.ofSeconds(30), Duration.ofMinutes(10))
                : RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        return new MonitorConfig(locations(commandLine), resolvedInterval, history, live, baseUrl, host, port,
                thresholds(commandLine), stale, seed, EXCEPTION_THRESHOLD, restartPolicy, Clock.systemUTC());
    }

    private List<Location> locations(CommandLine commandLine) {
        if (locations.isEmpty()) {
            return Location.DEFAULTS;
        }
        Map<String, Location> unique = new LinkedHashMap<>();
        for (String spec : locations) {
            Location location;
            try {
                location = Location.parse(spec);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(commandLine, "Invalid value for option '--location': " + e.getMessage());
            }
            if (unique.putIfAbsent(location.key(), location) != null) {
                throw new ParameterException(commandLine, "Invalid value for option '--location': '"
                        + location.name() + "' is given twice");
            }
        }
        return List.copyOf(unique.values());
    }

    private List<Threshold> thresholds(CommandLine commandLine) {
        Map<String, Threshold> rules = new LinkedHashMap<>();
        Threshold.DEFAULTS.forEach(rule -> rules.put(rule.sensor(), rule));
        for (String spec : thresholds) {
            try {
                Threshold rule = Threshold.parse(spec.toLowerCase(Locale.ROOT));
                rules.put(rule.sensor(), rule);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(commandLine, "Invalid value for option '--threshold': " + e.getMessage());
            }
        }
        return List.copyOf(rules.values());
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
