package io.pipeline.examples.stock;

import io.pipeline.core.RestartPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Ticker} runs.
 *
 * @param symbols            the symbols to follow, one manager each
 * @param interval           the time between polls of one symbol
 * @param out                the CSV file all symbols append to
 * @param baseUrl            the quote server; {@code null} starts the embedded one
 * @param seed               the embedded server's random-walk seed
 * @param exceptionThreshold consecutive failed polls after which a symbol's manager is restarted
 * @param restartPolicy      when failed managers are rebuilt
 * @param clock              stamps polls and the console's lines
 */
record TickerConfig(List<String> symbols, Duration interval, Path out, String baseUrl, long seed,
                    int exceptionThreshold, RestartPolicy restartPolicy, Clock clock) {
    TickerConfig {
        symbols = List.copyOf(symbols);
        if (symbols.isEmpty()) {
            throw new IllegalArgumentException("no symbols");
        }
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(restartPolicy, "restartPolicy");
        Objects.requireNonNull(clock, "clock");
    }

    /** Whether the embedded quote server is used. */
    boolean embedded() {
        return baseUrl == null;
    }
}
