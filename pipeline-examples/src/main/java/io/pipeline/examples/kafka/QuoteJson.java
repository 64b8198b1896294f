package io.pipeline.examples.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The JSON form of a {@link io.pipeline.examples.stock.Quote} on the topic: times as ISO-8601 text. Stateless. */
final class QuoteJson {
    private QuoteJson() {}

    /** A new mapper writing and reading quotes; safe for concurrent use once returned. */
    static ObjectMapper mapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }
}
