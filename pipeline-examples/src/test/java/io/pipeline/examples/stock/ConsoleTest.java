package io.pipeline.examples.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.ListenerException;
import io.pipeline.core.PipelineError;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleTest {
    private static final Instant NOW = Instant.parse("2026-11-20T15:04:05.678Z");

    private final List<String> lines = new ArrayList<>();
    private final Console console = new Console(lines::add, Clock.fixed(NOW, ZoneOffset.UTC));

    private static Quote quote(String price, String change, String percent) {
        return new Quote(NOW, null, "AAPL", new BigDecimal(price), "USD", change == null ? null : new BigDecimal(change),
                percent == null ? null : new BigDecimal(percent), null, null, null, null, MarketState.REGULAR, null);
    }

    @Test
    void quote_printsTimeSymbolPriceAndSignedChange() {
        console.quote(quote("229.87", "1.37", "0.60"));
        console.quote(quote("200", "-28.5", "-12.47"));
        console.quote(quote("200", null, null));

        assertThat(lines).containsExactly(
                "2026-11-20T15:04:05Z  AAPL        229.87 USD  +1.37 (+0.60%)  REGULAR",
                "2026-11-20T15:04:05Z  AAPL           200 USD  -28.5 (-12.47%)  REGULAR",
                "2026-11-20T15:04:05Z  AAPL           200 USD  n/a  REGULAR");
        assertThat(console.quotes()).isEqualTo(3);
    }

    @Test
    void error_printsTheMessageWithoutTheListenerWrapping() {
        console.error("AAPL", new ListenerException("yahoo-aapl.processor", "price",
                new IOException("disk full")));
        console.error("AAPL", new IllegalStateException());

        assertThat(lines).containsExactly(
                "2026-11-20T15:04:05Z  AAPL    error: disk full",
                "2026-11-20T15:04:05Z  AAPL    error: java.lang.IllegalStateException");
    }

    @Test
    void report_saysWhetherAndWhenTheManagerRestarts() {
        console.report(new PipelineError("yahoo-aapl", new IOException("polling failed 5 times"), true,
                Duration.ofMillis(1150), 2, NOW));
        console.report(new PipelineError("yahoo-aapl", new IOException("gone"), false, Duration.ZERO, 3, NOW));

        assertThat(lines).containsExactly(
                "2026-11-20T15:04:05Z  manager yahoo-aapl failed: polling failed 5 times; restarting in 1.2 s (restart 3)",
                "2026-11-20T15:04:05Z  manager yahoo-aapl failed: gone; not restarted");
    }
}
