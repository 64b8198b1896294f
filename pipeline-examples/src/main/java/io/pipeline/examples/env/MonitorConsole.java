package io.pipeline.examples.env;

import io.pipeline.core.ErrorReporter;
import io.pipeline.core.ListenerException;
import io.pipeline.core.PipelineError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The monitor's console: one line per reading (with its rolling mean and trend), anomalies, alerts set off so
 * they stand out, errors the pipelines carry on from, and manager failures (as the flow's {@link ErrorReporter}).
 *
 * <pre>
 * 2026-12-01T10:15:02Z  Berlin  pm2_5                    8.1 μg/m³   mean    7.9 ± 0.5  trend  +0.20/h
 * 2026-12-01T10:16:22Z  ANOMALY  Berlin temperature_2m 21.3 °C: z = +21.4 (mean 12.2 ± 0.4)
 * 2026-12-01T10:16:42Z  *** ALERT RAISED  Berlin pm2_5 33.0 μg/m³ above 15.0 μg/m³ ***
 * </pre>
 *
 * <p>This class is thread-safe: lines from concurrent callers never interleave. It is called on the dispatcher's
 * loop thread and the flow's supervisor thread; the sink must not block for long.
 */
final class MonitorConsole implements ErrorReporter {
    private final Consumer<String> sink;
    private final Clock clock;
    private final AtomicLong readings = new AtomicLong();

    MonitorConsole(Consumer<String> sink, Clock clock) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    void stats(Stats s) {
        readings.incrementAndGet();
        print(String.format(Locale.ROOT, "%s  %-8s %-22s %8s %-6s mean %7s ± %-5s trend %+.2f/h", second(s.time()),
                s.location(), s.sensor(), Analytics.number(s.value()), s.unit(), Analytics.number(s.mean()),
                Analytics.number(s.std()), s.trendPerHour()));
    }

    /** Readings printed. */
    long readings() {
        return readings.get();
    }

    void anomaly(Anomaly a) {
        print(String.format(Locale.ROOT, "%s  ANOMALY  %s %s %s %s: z = %+.1f (mean %s ± %s)", second(a.time()),
                a.location(), a.sensor(), Analytics.number(a.value()), a.unit(), a.z(), Analytics.number(a.mean()),
                Analytics.number(a.std())));
    }

    void alert(Alert a) {
        print(second(a.time()) + "  *** ALERT " + a.state() + "  " + a.message() + " ***");
    }

    void error(String what, Throwable error) {
        print(second(clock.instant()) + "  " + what + " error: " + describe(error));
    }

    void info(String line) {
        print(line);
    }

    @Override
    public void report(PipelineError error) {
        String next = error.willRestart()
                ? "restarting in " + String.format(Locale.ROOT, "%.1f s", error.restartDelay().toMillis() / 1000.0)
                        + " (restart " + (error.restarts() + 1) + ")"
                : "not restarted";
        print(second(error.time()) + "  manager " + error.manager() + " failed: " + describe(error.cause()) + "; "
                + next);
    }

    private synchronized void print(String line) {
        sink.accept(line);
    }

    private static String second(Instant time) {
        return time.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The message of {@code error}, without the wrapping a failed listener adds. */
    static String describe(Throwable error) {
        Throwable shown = error instanceof ListenerException && error.getCause() != null ? error.getCause() : error;
        String message = shown.getMessage();
        return message == null || message.isBlank() ? shown.getClass().getName() : message;
    }

    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
