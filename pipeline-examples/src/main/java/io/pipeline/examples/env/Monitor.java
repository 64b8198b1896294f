package io.pipeline.examples.env;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Flow;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.output.JsonLinesOutput;
import io.pipeline.sources.output.SseOutput;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The running monitor: the embedded simulator (offline), two {@link OpenMeteoManager}s per location (weather, air
 * quality) under a {@link Flow} on an {@link AsyncDispatcher}, and what they share — the history file, the
 * {@link Analytics}, the in-memory {@link History} and the web server ({@link SseOutput} at {@code /events}, the
 * {@link WebApp} at {@code /}).
 *
 * <pre>
 * managers --READING--> history file, analytics --STATS/ANOMALY/ALERT--> console, History (JSON endpoint), SSE
 * </pre>
 *
 * <p>At start the history file is read back through the analytics (without printing or streaming), so that the
 * statistics, the alerts' hysteresis, the de-duplication and the charts start warm.
 *
 * <p>Lifecycle: RUNNING ({@link #start}) → CLOSED ({@link #close()}). Closing stops every source, delivers every
 * response already received (each reading reaches the history file), closes the file, ends every stream and every
 * thread the monitor started. This class is thread-safe; {@code close()} may race a shutdown hook.
 */
final class Monitor implements AutoCloseable {
    private final MonitorConfig config;
    private final MonitorConsole console;
    private final WeatherSimulator simulator;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService httpThreads;
    private final OkHttpClient client;
    private final History history = new History();
    private final Analytics analytics;
    private final JsonLinesOutput<Reading> writer;
    private final SseOutput web;
    private final Flow flow;
    private final int backfilled;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile ScheduledFuture<?> staleness;

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

        this.analytics = new Analytics("env-monitor.analytics", handler,
                Analytics.Settings.defaults(config.staleAfter()).withThresholds(config.thresholds()), config.clock());
        Map<String, Instant> lastTimes = new ConcurrentHashMap<>();
        this.backfilled = backfill(mapper, lastTimes);
        this.writer = track(opened, new JsonLinesOutput<>("env-monitor.history", handler, config.history(), mapper));
        this.web = track(opened, new SseOutput("env-monitor.web", handler, SseOutput.Options.defaults()
                .withHost(config.host()).withPort(config.port()).withMapper(mapper).withPath("/events")));
        web.mount("/", new WebApp(history, mapper, config));

        analytics.on(Analytics.STATS, history::add);
        analytics.on(Analytics.STATS, console::stats);
        analytics.on(Analytics.STATS, web.sender("stats"));
        analytics.on(Analytics.ANOMALY, history::add);
        analytics.on(Analytics.ANOMALY, console::anomaly);
        analytics.on(Analytics.ANOMALY, web.sender("anomaly"));
        analytics.on(Analytics.ALERT, history::add);
        analytics.on(Analytics.ALERT, console::alert);
        analytics.on(Analytics.ALERT, web.sender("alert"));
        analytics.on(Analytics.ERROR, error -> console.error("analytics", error));

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
            for (Feed feed : Feed.values()) {
                String baseUrl = simulator != null ? simulator.baseUrl() : config.baseUrl(feed);
                builder.manager(h -> new OpenMeteoManager(h, location, feed, baseUrl, options, lastTimes, writer,
                        analytics, console));
            }
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
        long check = Math.max(1, config.staleAfter().toMillis() / 4);
        monitor.staleness = monitor.scheduler.scheduleAtFixedRate(monitor::checkStale, check, check,
                TimeUnit.MILLISECONDS);
        return monitor;
    }

    private int backfill(ObjectMapper mapper, Map<String, Instant> lastTimes) {
        int[] skipped = new int[1];
        List<Reading> readings = History.read(config.history(), mapper, skipped);
        for (Reading reading : readings) {
            Analytics.Result result = analytics.warm(reading);
            history.add(result.stats());
            result.anomaly().ifPresent(history::add);
            result.alerts().forEach(history::add);
            Sensor.byId(reading.sensor()).ifPresent(sensor -> lastTimes.merge(
                    HandleCurrent.key(reading.location(), sensor.feed()), reading.time(),
                    (a, b) -> a.isAfter(b) ? a : b));
        }
        if (skipped[0] > 0) {
            console.info("env-monitor: skipped " + skipped[0] + " unreadable lines of " + config.history());
        }
        return readings.size();
    }

    private void checkStale() {
        try {
            analytics.checkStale();
        } catch (RuntimeException e) {
            console.error("staleness check", e); // e.g. the handler closed while stopping
        }
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
    void awaitTermination() {
        flow.run();
    }

    /** Waits up to {@code timeout} for the monitor to be closed or every manager to fail for good. */
    boolean awaitTermination(Duration timeout) {
        return flow.awaitTermination(timeout);
    }

    boolean isClosing() {
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
            ScheduledFuture<?> check = staleness;
            if (check != null) {
                check.cancel(false);
            }
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
