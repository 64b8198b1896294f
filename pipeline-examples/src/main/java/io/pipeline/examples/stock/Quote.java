package io.pipeline.examples.stock;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One price observation for one symbol, as {@link HandleRawData} reads it from a Yahoo v8 chart response, and
 * one row of the CSV file.
 *
 * <p>The optional components are {@code null} when the response did not carry the field they come from.
 * Instances are immutable and safe for concurrent use.
 *
 * @param pollTime      when the source received the response (UTC)
 * @param marketTime    the exchange's time of the price ({@code meta.regularMarketTime}); optional
 * @param symbol        the ticker symbol, upper case
 * @param price         the current price ({@code meta.regularMarketPrice})
 * @param currency      the price's currency ({@code meta.currency}); optional
 * @param change        {@code price - previousClose}; optional (needs the previous close)
 * @param changePercent {@code change / previousClose} in percent, two decimals; optional
 * @param previousClose the previous session's close ({@code meta.previousClose}, else {@code chartPreviousClose});
 *                      optional
 * @param dayHigh       the session's high ({@code meta.regularMarketDayHigh}); optional
 * @param dayLow        the session's low ({@code meta.regularMarketDayLow}); optional
 * @param volume        the session's volume ({@code meta.regularMarketVolume}); optional
 * @param marketState   the session {@code pollTime} falls in ({@code meta.currentTradingPeriod}); optional
 * @param exchange      the exchange's short name ({@code meta.exchangeName}); optional
 */
public record Quote(Instant pollTime, Instant marketTime, String symbol, BigDecimal price, String currency,
                    BigDecimal change, BigDecimal changePercent, BigDecimal previousClose, BigDecimal dayHigh,
                    BigDecimal dayLow, Long volume, MarketState marketState, String exchange) {

    /** The CSV header, one name per column of {@link #csvValues()}. */
    public static final List<String> CSV_COLUMNS = List.of("poll_time", "market_time", "symbol", "price", "currency",
            "change", "change_percent", "previous_close", "day_high", "day_low", "volume", "market_state", "exchange");

    /** Validates the required components. */
    public Quote {
        Objects.requireNonNull(pollTime, "pollTime");
        Objects.requireNonNull(symbol, "symbol");
        Objects.requireNonNull(price, "price");
    }

    /**
     * This quote as a CSV row, in {@link #CSV_COLUMNS} order: times as ISO-8601 UTC (the poll time to the
     * millisecond), numbers in plain notation, absent fields as empty strings.
     */
    public List<Object> csvValues() {
        return Arrays.asList(text(pollTime.truncatedTo(ChronoUnit.MILLIS)), text(marketTime), symbol, plain(price), text(currency), plain(change),
                plain(changePercent), plain(previousClose), plain(dayHigh), plain(dayLow), text(volume),
                text(marketState), text(exchange));
    }

    private static String plain(BigDecimal value) {
        return value == null ? "" : value.toPlainString();
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }
}
