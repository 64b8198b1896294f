package io.pipeline.examples.stock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for Yahoo Finance on a free loopback port, so that the example runs without a network: it answers
 * {@code GET /v8/finance/chart/{SYMBOL}} for any well-formed symbol with the v8 chart JSON, its price a seeded
 * random walk (one step per request), on a simulated exchange ({@code exchangeName} {@code SIM}) that keeps
 * New York's trading sessions. Other paths and malformed symbols get Yahoo's 404 body with {@code chart.error}.
 *
 * <p>This class is thread-safe. Requests are served one at a time on a thread named {@code quote-server}.
 */
public final class QuoteServer implements AutoCloseable {
    static final String CHART_PATH = "/v8/finance/chart/";
    private static final Pattern SYMBOL = Pattern.compile("[A-Za-z0-9.^=\\-]{1,20}");
    private static final Pattern CHART = Pattern.compile(Pattern.quote(CHART_PATH) + "([^/?]+)");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, Walk> walks = new ConcurrentHashMap<>();
    private final long seed;
    private final Clock clock;

    private QuoteServer(long seed, Clock clock) throws IOException {
        this.seed = seed;
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "quote-server");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::serve);
    }

    /**
     * Starts a server on a free loopback port.
     *
     * @param seed  seeds every symbol's random walk: the same seed gives the same prices
     * @param clock stamps {@code regularMarketTime} and places the trading sessions
     * @throws UncheckedIOException if no port could be bound
     */
    public static QuoteServer start(long seed, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        try {
            QuoteServer quoteServer = new QuoteServer(seed, clock);
            quoteServer.server.start();
            return quoteServer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded quote server on loopback", e);
        }
    }

    /** The base URL to give the source, e.g. {@code http://127.0.0.1:41234}, without a trailing slash. */
    public String baseUrl() {
        InetSocketAddress address = server.getAddress();
        return "http://" + address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** Stops serving and ends the server's threads, waiting up to a few seconds for them. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            Matcher matcher = CHART.matcher(exchange.getRequestURI().getRawPath());
            if (!"GET".equals(exchange.getRequestMethod()) || !matcher.matches()
                    || !SYMBOL.matcher(matcher.group(1)).matches()) {
                respond(exchange, 404, notFound());
                return;
            }
            String symbol = matcher.group(1).toUpperCase(Locale.ROOT);
            Walk walk = walks.computeIfAbsent(symbol, s -> new Walk(seed ^ s.hashCode()));
            respond(exchange, 200, chart(symbol, walk.step()));
        }
    }

    private void respond(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private ObjectNode notFound() {
        ObjectNode body = mapper.createObjectNode();
        ObjectNode chart = body.putObject("chart");
        chart.putNull("result");
        chart.putObject("error").put("code", "Not Found").put("description", "No data found, symbol may be delisted");
        return body;
    }

    private ObjectNode chart(String symbol, Tick tick) {
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(NEW_YORK));
        long epochSecond = now.toEpochSecond();
        int gmtOffset = now.getOffset().getTotalSeconds();
        String zone = NEW_YORK.getRules().isDaylightSavings(now.toInstant()) ? "EDT" : "EST";

        ObjectNode body = mapper.createObjectNode();
        ObjectNode chart = body.putObject("chart");
        ObjectNode result = chart.putArray("result").addObject();
        ObjectNode meta = result.putObject("meta");
        meta.put("currency", "USD")
                .put("symbol", symbol)
                .put("exchangeName", "SIM")
                .put("fullExchangeName", "Simulated exchange")
                .put("instrumentType", "EQUITY")
                .put("regularMarketTime", epochSecond)
                .put("gmtoffset", gmtOffset)
                .put("timezone", zone)
                .put("exchangeTimezoneName", NEW_YORK.getId())
                .put("regularMarketPrice", tick.price)
                .put("regularMarketDayHigh", tick.high)
                .put("regularMarketDayLow", tick.low)
                .put("regularMarketVolume", tick.volume)
                .put("chartPreviousClose", tick.previousClose)
                .put("previousClose", tick.previousClose)
                .put("priceHint", 2);
        ObjectNode periods = meta.putObject("currentTradingPeriod");
        LocalDate today = now.toLocalDate();
        period(periods, "pre", today, LocalTime.of(4, 0), LocalTime.of(9, 30), zone, gmtOffset);
        period(periods, "regular", today, LocalTime.of(9, 30), LocalTime.of(16, 0), zone, gmtOffset);
        period(periods, "post", today, LocalTime.of(16, 0), LocalTime.of(20, 0), zone, gmtOffset);
        meta.put("dataGranularity", "1m").put("range", "1d");
        result.putArray("timestamp").add(epochSecond - epochSecond % 60);
        ObjectNode bar = result.putObject("indicators").putArray("quote").addObject();
        bar.putArray("open").add(tick.price);
        bar.putArray("high").add(tick.price);
        bar.putArray("low").add(tick.price);
        bar.putArray("close").add(tick.price);
        bar.putArray("volume").add(tick.lastVolume);
        chart.putNull("error");
        return body;
    }

    private static void period(ObjectNode periods, String name, LocalDate day, LocalTime start, LocalTime end,
                               String zone, int gmtOffset) {
        periods.putObject(name)
                .put("timezone", zone)
                .put("start", day.atTime(start).atZone(NEW_YORK).toEpochSecond())
                .put("end", day.atTime(end).atZone(NEW_YORK).toEpochSecond())
                .put("gmtoffset", gmtOffset);
    }

    /** One response's numbers. */
    private record Tick(BigDecimal price, BigDecimal high, BigDecimal low, BigDecimal previousClose, long volume,
                        long lastVolume) {}

    /** One symbol's random walk; guarded by its monitor. */
    private static final class Walk {
        private final SplittableRandom random;
        private final BigDecimal previousClose;
        private BigDecimal price;
        private BigDecimal high;
        private BigDecimal low;
        private long volume;

        Walk(long seed) {
            random = new SplittableRandom(seed);
            previousClose = cents(20 + random.nextDouble() * 480);
            price = previousClose;
            high = price;
            low = price;
        }

        synchronized Tick step() {
            double moved = price.doubleValue() * (1 + random.nextGaussian() * 0.002);
            price = cents(Math.max(0.01, moved));
            high = high.max(price);
            low = low.min(price);
            long traded = 100 + random.nextLong(5_000);
            volume += traded;
            return new Tick(price, high, low, previousClose, volume, traded);
        }

        private static BigDecimal cents(double value) {
            return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP);
        }
    }
}
