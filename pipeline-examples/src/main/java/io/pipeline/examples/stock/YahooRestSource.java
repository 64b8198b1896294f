package io.pipeline.examples.stock;

import io.pipeline.core.MessageHandler;
import io.pipeline.sources.RestSource;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Polls Yahoo Finance's v8 chart endpoint for one symbol (aiopype's {@code YahooRestSource}):
 * {@code GET {base}/v8/finance/chart/{SYMBOL}?interval=1m&range=1d}, emitting each response as
 * {@link RestSource#DATA}. Any server speaking that format will do: the embedded {@code QuoteServer}, a mock in
 * tests, or {@link #LIVE_BASE_URL}.
 *
 * <p>The live endpoint is unofficial and undocumented; it may throttle ({@code 429}) or refuse scripted clients.
 * Requests therefore carry a browser {@code User-Agent} and {@code Accept: application/json}; poll no faster
 * than {@link #LIVE_MIN_INTERVAL}. Failures, throttling included, are {@code ERROR}s counted towards the
 * options' exception threshold, and {@code Retry-After} is honoured (see {@link RestSource}).
 *
 * <p>This class is thread-safe.
 */
public class YahooRestSource extends RestSource {
    /** Yahoo Finance's query host. */
    public static final String LIVE_BASE_URL = "https://query1.finance.yahoo.com";
    /** The shortest interval the ticker allows against {@link #LIVE_BASE_URL}. */
    public static final Duration LIVE_MIN_INTERVAL = Duration.ofSeconds(15);
    /** A current desktop browser's User-Agent: the endpoint tends to refuse library defaults. */
    static final String USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
            + "(KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";

    private final String symbol;

    /**
     * Creates a source polling {@code symbol}'s chart on the server at {@code baseUrl}.
     *
     * @throws IllegalArgumentException if {@code baseUrl} is not an http or https URL
     */
    public YahooRestSource(String name, MessageHandler handler, String baseUrl, String symbol, Options options) {
        super(name, handler, chartUrl(baseUrl, symbol), options);
        this.symbol = symbol;
    }

    /** The chart URL of {@code symbol} on the server at {@code baseUrl} (whose own path, if any, is kept). */
    public static String chartUrl(String baseUrl, String symbol) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(symbol, "symbol");
        HttpUrl base = HttpUrl.parse(baseUrl);
        if (base == null) {
            throw new IllegalArgumentException("not an http or https URL: " + baseUrl);
        }
        return base.newBuilder()
                .addPathSegments("v8/finance/chart")
                .addPathSegment(symbol)
                .query(null)
                .addQueryParameter("interval", "1m")
                .addQueryParameter("range", "1d")
                .build()
                .toString();
    }

    /** The symbol this source polls. */
    public final String symbol() {
        return symbol;
    }

    /** Adds the browser headers the live endpoint expects to {@link RestSource}'s request. */
    @Override
    protected Request buildRequest() {
        return super.buildRequest().newBuilder()
                .header("User-Agent", USER_AGENT)
                .header("Accept", "application/json")
                .build();
    }
}
