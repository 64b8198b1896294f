package io.pipeline.examples.stock;

import io.pipeline.core.ErrorReporter;
import io.pipeline.core.ListenerException;
import io.pipeline.core.RecoveredFailure;
import io.pipeline.core.PipelineError;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The ticker's console: one readable line per quote, per error a processor reported, and per manager failure
 * the flow handled (as its {@link ErrorReporter}), each line handed whole to a sink.
 *
 * <pre>
 * 2026-11-21T15:04:05Z  AAPL      229.87 USD   +1.37 (+0.60%)  REGULAR
 * 2026-11-21T15:04:07Z  NOPE    error: NOPE: the quote service answered with an error: Not Found (...)
 * 2026-11-21T15:04:09Z  manager yahoo-nope failed: ...; restarting in PT1.1S (restart 1)
 * </pre>
 *
 * <p>This class is thread-safe: lines from concurrent callers are never interleaved. It is called from the
 * dispatcher's loop thread and the flow's supervisor thread; the sink must not block for long.
 */
public final class Console implements ErrorReporter {
    private final Consumer<String> sink;
    private final Clock clock;
    private final AtomicLong quotes = new AtomicLong();

    /** A console handing each line to {@code sink}, stamping errors with {@code clock}'s time. */
    public Console(Consumer<String> sink, Clock clock) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Prints one quote: poll time, symbol, price, currency, change, change in percent, market state. */
    public void quote(Quote quote) {
        quotes.incrementAndGet();
        String change = quote.change() == null ? "n/a" : signed(quote.change()) + " (" + signed(quote.changePercent()) + "%)";
        print(String.format(Locale.ROOT, "%s  %-7s %10s %-3s  %s%s", quote.pollTime().truncatedTo(ChronoUnit.SECONDS),
                quote.symbol(), quote.price().toPlainString(), quote.currency() == null ? "" : quote.currency(),
                change, quote.marketState() == null ? "" : "  " + quote.marketState()));
    }

    /** How many quotes {@link #quote} printed. */
    public long quotes() {
        return quotes.get();
    }

    /** Prints an error the pipeline of {@code symbol} reported and carries on from. */
    public void error(String symbol, Throwable error) {
        print(now() + "  " + String.format(Locale.ROOT, "%-7s", symbol) + " error: " + describe(error));
    }

    /** Prints a line of information. */
    public void info(String line) {
        print(line);
    }

    /** Prints a manager failure and whether, and when, the flow restarts it. */
    @Override
    public void report(PipelineError error) {
        String next = error.willRestart()
                ? "restarting in " + seconds(error.restartDelay()) + " (restart " + (error.restarts() + 1) + ")"
                : "not restarted";
        print(error.time().truncatedTo(ChronoUnit.SECONDS) + "  manager " + error.manager() + " failed: "
                + describe(error.cause()) + "; " + next);
    }

    private synchronized void print(String line) {
        sink.accept(line);
    }

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String signed(BigDecimal value) {
        return (value.signum() >= 0 ? "+" : "") + value.toPlainString();
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    /** The message of {@code error}, without the wrapping a failed listener adds. */
    static String describe(Throwable error) {
        // A ListenerException or a source's RecoveredFailure wraps what went wrong; the console shows that.
        Throwable shown = (error instanceof ListenerException || error instanceof RecoveredFailure)
                && error.getCause() != null ? error.getCause() : error;
        String message = shown.getMessage();
        return message == null || message.isBlank() ? shown.getClass().getName() : message;
    }
}
