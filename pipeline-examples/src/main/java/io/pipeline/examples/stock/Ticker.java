package io.pipeline.examples.stock;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Flow;
import io.pipeline.examples.ProgramRun;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.output.CsvOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The running program: the embedded quote server (offline), one {@link YahooManager} per symbol under a
 * {@link Flow} on an {@link AsyncDispatcher}, and the one {@link CsvOutput} they share — so rows of different
 * symbols never interleave and the header is written once.
 *
 * <p>Lifecycle: RUNNING ({@link #start}) → CLOSED ({@link #close()}). Closing stops every source, delivers every
 * response already received (each quote reaches the CSV file and the console), closes the file, and ends every
 * thread the ticker started. This class is thread-safe; {@code close()} may race a shutdown hook.
 */
final class Ticker implements ProgramRun.Program {
    private final Console console;
    private final TickerConfig config;
    private final String baseUrl;
    private final QuoteServer server;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService httpThreads;
    private final OkHttpClient client;
    private final CsvOutput<Quote> writer;
    private final Flow flow;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private Ticker(TickerConfig config, Console console, List<AutoCloseable> opened) {
        this.config = config;
        this.console = console;
        this.server = config.embedded() ? track(opened, QuoteServer.start(config.seed(), config.clock())) : null;
        this.baseUrl = server != null ? server.baseUrl() : config.baseUrl();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(threads("stock-ticker-poller"));
        opened.add(scheduler::shutdownNow);
        this.httpThreads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                threads("stock-ticker-http"));
        opened.add(httpThreads::shutdownNow);
        this.client = new OkHttpClient.Builder().dispatcher(new Dispatcher(httpThreads)).build();
        AsyncDispatcher handler = track(opened, new AsyncDispatcher());
        this.writer = track(opened, new CsvOutput<>("stock-ticker.csv", handler, config.out(), Quote.CSV_COLUMNS,
                Quote::csvValues));
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
        for (String symbol : config.symbols()) {
            builder.manager(h -> new YahooManager(h, symbol, baseUrl, options, writer, console));
        }
        this.flow = builder.build();
    }

    /**
     * Starts the quote server if the config asks for it, opens the CSV file, prints where quotes come from and
     * go, and starts polling.
     *
     * @throws java.io.UncheckedIOException if the server or the CSV file cannot be opened
     * @throws IllegalArgumentException if the base URL is not an http or https URL
     */
    static Ticker start(TickerConfig config, Console console) {
        List<AutoCloseable> opened = new ArrayList<>();
        Ticker ticker;
        try {
            ticker = new Ticker(config, console, opened);
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
        console.info("stock-ticker: polling " + String.join(", ", config.symbols()) + " every "
                + Durations.format(config.interval()) + " from " + ticker.baseUrl
                + (config.embedded() ? " (embedded simulated quote server)" : "") + "; writing " + config.out()
                + ". Ctrl-C stops.");
        ticker.flow.start();
        return ticker;
    }

    /** The quote server polled. */
    String baseUrl() {
        return baseUrl;
    }

    /** The flow running the managers, for status checks. */
    Flow flow() {
        return flow;
    }

    /** Waits until the ticker is closed, or every manager has failed for good. */
    @Override
    public void awaitTermination() {
        flow.run();
    }

    /**
     * Waits up to {@code timeout} for the ticker to be closed or every manager to fail for good.
     *
     * @return whether it terminated within the timeout
     */
    @Override
    public boolean awaitTermination(Duration timeout) {
        return flow.awaitTermination(timeout);
    }

    /** Whether {@link #close()} has been called. */
    @Override
    public boolean isClosing() {
        return closing.get();
    }

    /**
     * Stops polling, delivers the quotes already received, closes the CSV file, ends the ticker's threads, and
     * prints how many quotes were written. Idempotent; a concurrent caller waits for the first.
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
                scheduler.shutdownNow();
                client.dispatcher().cancelAll();
                httpThreads.shutdownNow();
                client.connectionPool().evictAll();
                if (server != null) {
                    server.close();
                }
                awaitQuietly(scheduler);
                awaitQuietly(httpThreads);
                console.info("stock-ticker: stopped; " + console.quotes() + " quotes written to " + config.out());
                closed.complete(null);
            }
        }
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
