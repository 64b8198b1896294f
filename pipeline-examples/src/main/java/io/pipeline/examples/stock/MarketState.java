package io.pipeline.examples.stock;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Which trading session a quote was taken in. Yahoo's v8 chart response has no market-state field; the state
 * is derived from its {@code meta.currentTradingPeriod}, which gives the start and end (epoch seconds) of the
 * day's {@code pre}, {@code regular} and {@code post} sessions. Immutable and safe for concurrent use.
 */
public enum MarketState {
    /** Pre-market trading. */
    PRE,
    /** The regular session. */
    REGULAR,
    /** After-hours trading. */
    POST,
    /** Outside every session of the trading day. */
    CLOSED;

    /**
     * The session {@code time} falls in, given a {@code currentTradingPeriod} object; {@code null} when the
     * object is absent or carries no usable session. A session covers {@code [start, end)}.
     */
    static MarketState at(Instant time, JsonNode currentTradingPeriod) {
        if (currentTradingPeriod == null || !currentTradingPeriod.isObject()) {
            return null;
        }
        boolean anySession = false;
        for (MarketState state : new MarketState[] {REGULAR, PRE, POST}) {
            JsonNode period = currentTradingPeriod.path(state.name().toLowerCase(java.util.Locale.ROOT));
            JsonNode start = period.path("start");
            JsonNode end = period.path("end");
            if (!start.isIntegralNumber() || !end.isIntegralNumber()) {
                continue;
            }
            anySession = true;
            long now = time.getEpochSecond();
            if (start.asLong() <= now && now < end.asLong()) {
                return state;
            }
        }
        return anySession ? CLOSED : null;
    }
}
