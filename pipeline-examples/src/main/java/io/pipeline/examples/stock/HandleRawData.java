package io.pipeline.examples.stock;

import com.fasterxml.jackson.databind.JsonNode;
import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.sources.RestSource;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * Extracts a {@link Quote} from each Yahoo v8 chart response the source polled (aiopype's {@code HandleRawData},
 * which emitted {@code 'price'}).
 *
 * <p>Every response is validated: a body carrying {@code chart.error}, a {@code chart.result} that is null or
 * empty, a response for another symbol, or a {@code meta.regularMarketPrice} that is missing, {@code null},
 * non-numeric or not positive becomes a {@link QuoteException} emitted as {@link #ERROR} — never a row. Optional
 * fields that are absent, {@code null} or of the wrong type are left empty in the quote.
 *
 * <p>This class is thread-safe; it keeps no state between responses. {@link #handle} runs on whichever thread
 * delivers the source's events (the dispatcher's loop thread under an {@code AsyncDispatcher}).
 */
public final class HandleRawData extends Processor {
    /** One quote per valid response. */
    public static final Event<Quote> PRICE = Event.of("price", Quote.class);

    private static final int PERCENT_SCALE = 2;

    private final String symbol;

    /** Creates the processor for {@code symbol}: responses for other symbols are rejected. */
    public HandleRawData(String name, MessageHandler handler, String symbol) {
        super(name, handler);
        this.symbol = Objects.requireNonNull(symbol, "symbol");
    }

    /** Emits the quote read from one polled response, or an {@link #ERROR} saying why there is none. */
    public void handle(RestSource.Poll poll) {
        handle(poll.time(), poll.body());
    }

    /** Emits the quote read from {@code body}, polled at {@code pollTime}, or an {@link #ERROR} saying why not. */
    public void handle(Instant pollTime, JsonNode body) {
        Quote quote;
        try {
            quote = parse(symbol, pollTime, body);
        } catch (QuoteException e) {
            emit(ERROR, e);
            return;
        }
        emit(PRICE, quote);
    }

    /**
     * Reads and validates one v8 chart response ({@code GET /v8/finance/chart/{symbol}}).
     *
     * @throws QuoteException if the body is an error, is for another symbol, or has no usable price
     */
    static Quote parse(String symbol, Instant pollTime, JsonNode body) throws QuoteException {
        Objects.requireNonNull(symbol, "symbol");
        Objects.requireNonNull(pollTime, "pollTime");
        if (body == null || !body.path("chart").isObject()) {
            throw new QuoteException(symbol + ": the response has no 'chart' object: " + abbreviate(body));
        }
        JsonNode chart = body.path("chart");
        JsonNode error = chart.path("error");
        if (!error.isMissingNode() && !error.isNull()) {
            throw new QuoteException(symbol + ": the quote service answered with an error: "
                    + error.path("code").asText("?") + " (" + error.path("description").asText(error.toString()) + ")");
        }
        JsonNode result = chart.path("result");
        if (!result.isArray() || result.isEmpty()) {
            throw new QuoteException(symbol + ": unknown symbol, chart.result is " + abbreviate(result));
        }
        JsonNode meta = result.get(0).path("meta");
        if (!meta.isObject()) {
            throw new QuoteException(symbol + ": chart.result[0] has no 'meta' object");
        }
        String responseSymbol = text(meta, "symbol");
        if (responseSymbol != null && !responseSymbol.equalsIgnoreCase(symbol)) {
            throw new QuoteException(symbol + ": the response is for another symbol: " + responseSymbol);
        }
        JsonNode priceNode = meta.path("regularMarketPrice");
        if (!priceNode.isNumber()) {
            throw new QuoteException(symbol + ": regularMarketPrice is missing or not a number: "
                    + (priceNode.isMissingNode() ? "absent" : abbreviate(priceNode)));
        }
        if (priceNode.isFloatingPointNumber() && !Double.isFinite(priceNode.doubleValue())) {
            throw new QuoteException(symbol + ": regularMarketPrice is not finite: " + priceNode);
        }
        BigDecimal price = priceNode.decimalValue();
        if (price.signum() <= 0) {
            throw new QuoteException(symbol + ": regularMarketPrice is not positive: " + price.toPlainString());
        }

        BigDecimal previousClose = positive(meta, "previousClose");
        if (previousClose == null) {
            previousClose = positive(meta, "chartPreviousClose");
        }
        BigDecimal change = null;
        BigDecimal changePercent = null;
        if (previousClose != null) {
            change = price.subtract(previousClose);
            changePercent = change.movePointRight(2).divide(previousClose, PERCENT_SCALE, RoundingMode.HALF_UP);
        }
        JsonNode marketTimeNode = meta.path("regularMarketTime");
        Instant marketTime = marketTimeNode.isIntegralNumber() ? Instant.ofEpochSecond(marketTimeNode.asLong()) : null;
        JsonNode volumeNode = meta.path("regularMarketVolume");
        Long volume = volumeNode.isNumber() && volumeNode.asLong() >= 0 ? volumeNode.asLong() : null;

        return new Quote(pollTime, marketTime, symbol.toUpperCase(Locale.ROOT), price, text(meta, "currency"),
                change, changePercent, previousClose, positive(meta, "regularMarketDayHigh"),
                positive(meta, "regularMarketDayLow"), volume,
                MarketState.at(pollTime, meta.get("currentTradingPeriod")), text(meta, "exchangeName"));
    }

    private static String text(JsonNode object, String field) {
        JsonNode node = object.path(field);
        return node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
    }

    private static BigDecimal positive(JsonNode object, String field) {
        JsonNode node = object.path(field);
        if (!node.isNumber() || (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue()))) {
            return null;
        }
        BigDecimal value = node.decimalValue();
        return value.signum() > 0 ? value : null;
    }

    private static String abbreviate(JsonNode node) {
        String text = String.valueOf(node);
        return text.length() <= 120 ? text : text.substring(0, 117) + "...";
    }

    @Override
    public String toString() {
        return "HandleRawData[" + name() + ", " + symbol + "]";
    }
}
