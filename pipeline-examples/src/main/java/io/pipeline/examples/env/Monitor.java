package io.pipeline.examples.env;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Flow;
import io.pipeline.examples.ProgramRun;
import io.pipeline.examples.stock.Durations;
import io.pipeline.operators.OperatorOptions;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.output.JsonLinesOutput;
import io.pipeline.sources.output.SseOutput;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The running monitor: the embedded simulator (offline), one {@link OpenMeteoManager} per location (weather and
 * air quality fanned in, analysed by a chain of operators, see {@link Analytics}) under a {@link Flow} on an
 * {@link AsyncDispatcher}, and what they share — the history file, the in-memory {@link History} and the web
 * server ({@link SseOutput} at {@code /events}, the {@link WebApp} at {@code /}).
 *
 * <pre>
 * managers --readings--> history file; --stats/anomaly/alert--> console, History (JSON endpoint), SSE
 * </pre>
 *
 * <p>At start the history file is read back through each location's analytics (without printing or streaming),
 * so that the statistics, the alerts' hysteresis, the de-duplication, the staleness and the charts start warm.
 *
 * <p>Lifecycle: RUNNING ({@link #start}) → CLOSED ({@link #close()}). Closing stops every source, delivers every
 * response already received (each reading reaches the history file), closes the file, ends every stream and every
 * thread the monitor started. This class is thread-safe; {@code close()} may race a shutdown hook.
 */
final class Monitor implements ProgramRun.Program {
    private final MonitorConfig config;
    private final MonitorConsole console;
    private final WeatherSimulator simulator;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService httpThreads;
    private final OkHttpClient client;
    private final History history = new History();
    private final JsonLinesOutput<Reading> writer;
    private final SseOutput web;
    private final Flow flow;
    private final int backfilled;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private Monitor(MonitorConfig config, MonitorConsole console, List<AutoCloseable> opened) {
        this.config = config;
        this.console = console;
        this.simulator = config.embedded()
                ? track(opened, WeatherSimulator.start(config.seed(), config.clock(), config.interval())) : null;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(threads("env-monitor-poller"));
        opened.add(scheduler::shutdownNow);
        this.httpThreads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                threads("env-monitor-http"));
        opened.add(httpThreads::shutdownNow);
        this.client = new OkHttpClient.Builder().dispatcher(new Dispatcher(httpThreads)).build();
        AsyncDispatcher handler = track(opened, new AsyncDispatcher());
        ObjectMapper mapper = mapper();

        Analytics.Settings settings = Analytics.Settings.defaults(config.staleAfter())
                .withThresholds(config.thresholds());
        OperatorOptions operatorOptions = Analytics.options(config.clock(), scheduler);
        this.backfilled = backfill(mapper, settings, operatorOptions, handler);
        this.writer = track(opened, new JsonLinesOutput<>("env-monitor.history", handler, config.history(), mapper));
        this.web = track(opened, new SseOutput("env-monitor.web", handler, SseOutput.Options.defaults()
                .withHost(config.host()).withPort(config.port()).withMapper(mapper).withPath("/events")));
        web.mount("/", new WebApp(history, mapper, config));
        Analytics.Sink sink = liveSink();

        RestSource.Options options = RestSource.Options.defaults()
                .withRequestInterval(config.interval())
                .withExceptionThreshold(config.exceptionThreshold())
                .withClient(client)
                .withScheduler(scheduler)
                .withClock(config.clock());
        Flow.Builder builder = Flow.builder()
                .handler(handler)
                .restartPolicy(config.restartPolicy())
                .errorReporter(console)
                .clock(config.clock());
        for (Location location : config.locations()) {
            builder.manager(h -> new OpenMeteoManager(h, location,
                    feed -> simulator != null ? simulator.baseUrl() : config.baseUrl(feed), options, operatorOptions,
                    settings, writer, sink, console));
        }
        this.flow = builder.build();
    }

    /**
     * Starts the simulator if the config asks for it, reads the history back, opens the history file and the web
     * server, prints where readings come from and go, and starts polling.
     *
     * @throws java.io.UncheckedIOException if the simulator, the file or the port cannot be opened
     * @throws IllegalArgumentException if a base URL is not an http or https URL
     */
    static Monitor start(MonitorConfig config, MonitorConsole console) {
        List<AutoCloseable> opened = new ArrayList<>();
        Monitor monitor;
        try {
            monitor = new Monitor(config, console, opened);
        } catch (RuntimeException | Error e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        String from = monitor.simulator != null ? monitor.simulator.baseUrl() + " (embedded simulator)"
                : config.live() ? "Open-Meteo (" + Feed.WEATHER.liveBaseUrl() + ", " + Feed.AIR_QUALITY.liveBaseUrl()
                + ")" : config.baseUrl();
        console.info("env-monitor: monitoring " + String.join(", ", config.locations().stream().map(Location::name)
                .toList()) + " every " + Durations.format(config.interval()) + " from " + from + "; history "
                + config.history() + " (" + monitor.backfilled + " readings read back)");
        console.info("env-monitor: dashboard at " + monitor.pageUri() + " . Ctrl-C stops.");
        monitor.flow.start();
        return monitor;
    }

    /**
     * Reads the history file back through each location's analytics ({@link Analytics#warm}): the in-memory
     * {@link History} gets the statistics, anomalies and alerts (not the console, not the page's stream), and the
     * live chains start with the warmed state.
     */
    private int backfill(ObjectMapper mapper, Analytics.Settings settings, OperatorOptions options,
                         AsyncDispatcher handler) {
        int[] skipped = new int[1];
        List<Reading> readings = History.read(config.history(), mapper, skipped);
        Analytics.Sink toHistory = new Analytics.Sink() {
            @Override
            public void stats(Stats stats) {
                history.add(stats);
            }

            @Override
            public void anomaly(Anomaly anomaly) {
                history.add(anomaly);
            }

            @Override
            public void alert(Alert alert) {
                history.add(alert);
            }
        };
        Map<String, List<Reading>> byLocation = readings.stream()
                .collect(Collectors.groupingBy(Reading::location));
        for (Location location : config.locations()) {
            Analytics.warm(byLocation.getOrDefault(location.name(), List.of()), OpenMeteoManager.managerName(location),
                    settings, options, handler, toHistory, error -> console.error("history " + location.name(), error));
        }
        if (skipped[0] > 0) {
            console.info("env-monitor: skipped " + skipped[0] + " unreadable lines of " + config.history());
        }
        return readings.size();
    }

    /** The results of the live chains: to the {@link History}, the console and the page's stream. */
    private Analytics.Sink liveSink() {
        return new Analytics.Sink() {
            @Override
            public void stats(Stats s) {
                history.add(s);
                console.stats(s);
                web.send("stats", s);
            }

            @Override
            public void anomaly(Anomaly a) {
                history.add(a);
                console.anomaly(a);
                web.send("anomaly", a);
            }

            @Override
            public void alert(Alert a) {
                history.add(a);
                console.alert(a);
                web.send("alert", a);
            }
        };
    }

    /** The dashboard's URL. */
    java.net.URI pageUri() {
        return web.baseUri();
    }

    /** The SSE output serving the page and its events. */
    SseOutput web() {
        return web;
    }

    /** What the page's endpoints serve. */
    History history() {
        return history;
    }

    /** The simulator, when one runs. */
    WeatherSimulator simulator() {
        return simulator;
    }

    /** The flow running the managers, for status checks. */
    Flow flow() {
        return flow;
    }

    /** Waits until the monitor is closed, or every manager has failed for good. */
    @Override
    public void awaitTermination() {
        flow.run();
    }

    /** Waits up to {@code timeout} for the monitor to be closed or every manager to fail for good. */
    @Override
    public boolean awaitTermination(Duration timeout) {
        return flow.awaitTermination(timeout);
    }

    @Override
    public boolean isClosing() {
        return closing.get();
    }

    /**
     * Stops polling, delivers the readings already received, closes the history file and the web server, ends the
     * monitor's threads, and prints how many readings were written. Idempotent; a concurrent caller waits for the
     * first.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            closed.join();
            return;
        }
        try {
            flow.close();
        } finally {
            try {
                writer.close();
            } finally {
                web.close();
                scheduler.shutdownNow();
                client.dispatcher().cancelAll();
                httpThreads.shutdownNow();
                client.connectionPool().evictAll();
                if (simulator != null) {
                    simulator.close();
                }
                awaitQuietly(scheduler);
                awaitQuietly(httpThreads);
                console.info("env-monitor: stopped; " + console.readings() + " readings written to "
                        + config.history());
                closed.complete(null);
            }
        }
    }

    /** Instants as ISO-8601 strings; records as objects. */
    static ObjectMapper mapper() {
        return new ObjectMapper().registerModule(new SimpleModule("env-monitor")
                .addSerializer(Instant.class, ToStringSerializer.instance));
    }

    private static void awaitQuietly(ExecutorService executor) {
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger ids = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-" + ids.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
