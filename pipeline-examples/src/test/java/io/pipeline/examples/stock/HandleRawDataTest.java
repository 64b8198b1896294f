package io.pipeline.examples.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HandleRawDataTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    // 2026-11-20, New York (EST, UTC-5): pre 09:00Z-14:30Z, regular 14:30Z-21:00Z, post 21:00Z-01:00Z.
    private static final long PRE_START = Instant.parse("2026-11-20T09:00:00Z").getEpochSecond();
    private static final long REGULAR_START = Instant.parse("2026-11-20T14:30:00Z").getEpochSecond();
    private static final long POST_START = Instant.parse("2026-11-20T21:00:00Z").getEpochSecond();
    private static final long POST_END = Instant.parse("2026-11-21T01:00:00Z").getEpochSecond();
    private static final Instant DURING_REGULAR = Instant.parse("2026-11-20T15:00:00Z");

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text.replace('\'', '"'));
    }

    private static String fullMeta(String price) {
        return "{'currency':'USD','symbol':'AAPL','exchangeName':'NMS','instrumentType':'EQUITY',"
                + "'regularMarketTime':1763652600,'regularMarketPrice':" + price + ","
                + "'regularMarketDayHigh':231.5,'regularMarketDayLow':227.25,'regularMarketVolume':48213550,"
                + "'chartPreviousClose':228.0,'previousClose':228.5,"
                + "'currentTradingPeriod':{'pre':{'start':" + PRE_START + ",'end':" + REGULAR_START + "},"
                + "'regular':{'start':" + REGULAR_START + ",'end':" + POST_START + "},"
                + "'post':{'start':" + POST_START + ",'end':" + POST_END + "}}}";
    }

    private static JsonNode chart(String meta) throws Exception {
        return json("{'chart':{'result':[{'meta':" + meta + ",'timestamp':[1763652540],"
                + "'indicators':{'quote':[{'close':[229.1]}]}}],'error':null}}");
    }

    @Test
    void parse_fullResponse_readsEveryField() throws Exception {
        Quote quote = HandleRawData.parse("AAPL", DURING_REGULAR, chart(fullMeta("229.87")));

        assertThat(quote.pollTime()).isEqualTo(DURING_REGULAR);
        assertThat(quote.marketTime()).isEqualTo(Instant.ofEpochSecond(1763652600));
        assertThat(quote.symbol()).isEqualTo("AAPL");
        assertThat(quote.price()).isEqualByComparingTo("229.87");
        assertThat(quote.currency()).isEqualTo("USD");
        assertThat(quote.previousClose()).isEqualByComparingTo("228.5");
        assertThat(quote.change()).isEqualByComparingTo("1.37");
        assertThat(quote.changePercent()).isEqualTo(new BigDecimal("0.60"));
        assertThat(quote.dayHigh()).isEqualByComparingTo("231.5");
        assertThat(quote.dayLow()).isEqualByComparingTo("227.25");
        assertThat(quote.volume()).isEqualTo(48_213_550L);
        assertThat(quote.marketState()).isEqualTo(MarketState.REGULAR);
        assertThat(quote.exchange()).isEqualTo("NMS");
    }

    @Test
    void parse_usesRegularMarketPrice_notTheLastClose() throws Exception {
        Quote quote = HandleRawData.parse("AAPL", DURING_REGULAR, chart(fullMeta("229.87")));

        assertThat(quote.price()).isEqualByComparingTo("229.87");
    }

    @Test
    void parse_priceBelowPreviousClose_givesNegativeChangeRoundedToTwoDecimals() throws Exception {
        Quote quote = HandleRawData.parse("AAPL", DURING_REGULAR, chart(fullMeta("200")));

        assertThat(quote.change()).isEqualByComparingTo("-28.5");
        assertThat(quote.changePercent()).isEqualTo(new BigDecimal("-12.47")); // -28.5 / 228.5 = -12.4726 %
    }

    @Test
    void parse_withoutPreviousClose_fallsBackToChartPreviousClose() throws Exception {
        JsonNode body = chart("{'symbol':'AAPL','regularMarketPrice':230,'chartPreviousClose':200}");

        Quote quote = HandleRawData.parse("AAPL", DURING_REGULAR, body);

        assertThat(quote.previousClose()).isEqualByComparingTo("200");
        assertThat(quote.change()).isEqualByComparingTo("30");
        assertThat(quote.changePercent()).isEqualTo(new BigDecimal("15.00"));
    }

    @Test
    void parse_onlyPrice_leavesOptionalFieldsEmpty() throws Exception {
        Quote quote = HandleRawData.parse("msft", DURING_REGULAR, chart("{'regularMarketPrice':415.2}"));

        assertThat(quote.symbol()).isEqualTo("MSFT");
        assertThat(quote.price()).isEqualByComparingTo("415.2");
        assertThat(quote).extracting(Quote::marketTime, Quote::currency, Quote::change, Quote::changePercent,
                        Quote::previousClose, Quote::dayHigh, Quote::dayLow, Quote::volume, Quote::marketState,
                        Quote::exchange)
                .containsOnlyNulls();
        assertThat(quote.csvValues()).containsExactly(DURING_REGULAR.toString(), "", "MSFT", "415.2", "", "", "", "",
                "", "", "", "", "");
    }

    @Test
    void parse_optionalFieldsOfTheWrongType_areLeftEmpty() throws Exception {
        JsonNode body = chart("{'regularMarketPrice':10,'previousClose':'n/a','regularMarketVolume':null,"
                + "'regularMarketTime':'soon','currency':7,'currentTradingPeriod':'closed'}");

        Quote quote = HandleRawData.parse("X", DURING_REGULAR, body);

        assertThat(quote).extracting(Quote::previousClose, Quote::change, Quote::volume, Quote::marketTime,
                Quote::currency, Quote::marketState).containsOnlyNulls();
    }

    @Test
    void parse_marketState_followsCurrentTradingPeriod() throws Exception {
        JsonNode body = chart(fullMeta("229.87"));

        assertThat(HandleRawData.parse("AAPL", Instant.ofEpochSecond(PRE_START - 1), body).marketState())
                .isEqualTo(MarketState.CLOSED);
        assertThat(HandleRawData.parse("AAPL", Instant.ofEpochSecond(PRE_START), body).marketState())
                .isEqualTo(MarketState.PRE);
        assertThat(HandleRawData.parse("AAPL", Instant.ofEpochSecond(REGULAR_START - 1), body).marketState())
                .isEqualTo(MarketState.PRE);
        assertThat(HandleRawData.parse("AAPL", Instant.ofEpochSecond(REGULAR_START), body).marketState())
                .isEqualTo(MarketState.REGULAR);
        assertThat(HandleRawData.parse("AAPL", Instant.ofEpochSecond(POST_START), body).marketState())
                .isEqualTo(MarketState.POST);
        assertThat(HandleRawData.parse("AAPL", Instant.ofEpochSecond(POST_END), body).marketState())
                .isEqualTo(MarketState.CLOSED);
    }

    @Test
    void parse_tradingPeriodWithOnlyRegularSession_isClosedOutsideIt() throws Exception {
        JsonNode body = chart("{'regularMarketPrice':1,'currentTradingPeriod':{'regular':{'start':"
                + REGULAR_START + ",'end':" + POST_START + "}}}");

        assertThat(HandleRawData.parse("X", Instant.ofEpochSecond(PRE_START), body).marketState())
                .isEqualTo(MarketState.CLOSED);
        assertThat(HandleRawData.parse("X", DURING_REGULAR, body).marketState()).isEqualTo(MarketState.REGULAR);
    }

    @Test
    void parse_errorBody_isRejectedWithTheServiceMessage() throws Exception {
        JsonNode body = json("{'chart':{'result':null,'error':{'code':'Not Found',"
                + "'description':'No data found, symbol may be delisted'}}}");

        assertThatThrownBy(() -> HandleRawData.parse("NOPE", DURING_REGULAR, body))
                .isInstanceOf(QuoteException.class)
                .hasMessage("NOPE: the quote service answered with an error: Not Found "
                        + "(No data found, symbol may be delisted)");
    }

    @Test
    void parse_nullResultWithoutError_isAnUnknownSymbol() throws Exception {
        JsonNode body = json("{'chart':{'result':null,'error':null}}");

        assertThatThrownBy(() -> HandleRawData.parse("NOPE", DURING_REGULAR, body))
                .isInstanceOf(QuoteException.class)
                .hasMessage("NOPE: unknown symbol, chart.result is null");
    }

    @Test
    void parse_emptyResult_isAnUnknownSymbol() throws Exception {
        assertThatThrownBy(() -> HandleRawData.parse("NOPE", DURING_REGULAR, json("{'chart':{'result':[]}}")))
                .isInstanceOf(QuoteException.class)
                .hasMessageContaining("unknown symbol");
    }

    @Test
    void parse_nullPrice_isRejected() throws Exception {
        assertThatThrownBy(() -> HandleRawData.parse("AAPL", DURING_REGULAR, chart(fullMeta("null"))))
                .isInstanceOf(QuoteException.class)
                .hasMessage("AAPL: regularMarketPrice is missing or not a number: null");
    }

    @Test
    void parse_textualPrice_isRejected() throws Exception {
        assertThatThrownBy(() -> HandleRawData.parse("AAPL", DURING_REGULAR, chart(fullMeta("'229.87'"))))
                .isInstanceOf(QuoteException.class)
                .hasMessage("AAPL: regularMarketPrice is missing or not a number: \"229.87\"");
    }

    @Test
    void parse_missingPrice_isRejected() throws Exception {
        assertThatThrownBy(() -> HandleRawData.parse("AAPL", DURING_REGULAR, chart("{'symbol':'AAPL'}")))
                .isInstanceOf(QuoteException.class)
                .hasMessage("AAPL: regularMarketPrice is missing or not a number: absent");
    }

    @Test
    void parse_zeroPrice_isRejected() throws Exception {
        assertThatThrownBy(() -> HandleRawData.parse("AAPL", DURING_REGULAR, chart(fullMeta("0"))))
                .isInstanceOf(QuoteException.class)
                .hasMessage("AAPL: regularMarketPrice is not positive: 0");
    }

    @Test
    void parse_responseForAnotherSymbol_isRejected() throws Exception {
        assertThatThrownBy(() -> HandleRawData.parse("MSFT", DURING_REGULAR, chart(fullMeta("1"))))
                .isInstanceOf(QuoteException.class)
                .hasMessage("MSFT: the response is for another symbol: AAPL");
    }

    @Test
    void parse_bodyWithoutChart_isRejected() throws Exception {
        assertThatThrownBy(() -> HandleRawData.parse("AAPL", DURING_REGULAR, json("{'quoteResponse':{}}")))
                .isInstanceOf(QuoteException.class)
                .hasMessage("AAPL: the response has no 'chart' object: {\"quoteResponse\":{}}");
        assertThatThrownBy(() -> HandleRawData.parse("AAPL", DURING_REGULAR, json("[1,2]")))
                .isInstanceOf(QuoteException.class);
    }

    @Test
    void parse_resultWithoutMeta_isRejected() throws Exception {
        assertThatThrownBy(() -> HandleRawData.parse("AAPL", DURING_REGULAR, json("{'chart':{'result':[{}]}}")))
                .isInstanceOf(QuoteException.class)
                .hasMessage("AAPL: chart.result[0] has no 'meta' object");
    }
}
