package io.pipeline.sources;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The sources' default object mappers. Stateless. */
final class JsonMappers {
    private JsonMappers() {}

    /** A mapper whose JSON factory applies {@code constraints} to everything it reads. */
    static ObjectMapper bounded(StreamReadConstraints constraints) {
        return new ObjectMapper(JsonFactory.builder().streamReadConstraints(constraints).build());
    }
}
