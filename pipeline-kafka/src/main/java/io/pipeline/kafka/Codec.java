package io.pipeline.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Turns record bytes into values and back: {@code byte[]} as they are, {@code String} as UTF-8 (malformed UTF-8
 * is refused), anything else as JSON through the caller's Jackson {@code ObjectMapper}.
 *
 * <p>Instances are immutable and safe for concurrent use (an {@code ObjectMapper} is, once configured).
 */
final class Codec<V> {
    private final Class<V> type;
    private final ObjectMapper mapper;

    Codec(Class<V> type, ObjectMapper mapper) {
        this.type = Objects.requireNonNull(type, "type");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    Class<V> type() {
        return type;
    }

    /** Decodes {@code bytes}; a decoded JSON {@code null} is refused. */
    V decode(byte[] bytes) throws IOException {
        Object value;
        if (type == byte[].class) {
            value = bytes.clone();
        } else if (type == String.class) {
            value = utf8(bytes);
        } else if (type == JsonNode.class || type == Object.class) {
            JsonNode tree = mapper.readTree(bytes);
            if (tree == null || tree.isMissingNode()) {
                throw new IOException("no JSON value");
            }
            value = tree;
        } else {
            value = mapper.readValue(bytes, type);
        }
        if (value == null) {
            throw new IOException("the value decodes to null");
        }
        return type.cast(value);
    }

    /** Encodes {@code value}. */
    byte[] encode(Object value) throws IOException {
        if (value instanceof byte[] bytes) {
            return bytes.clone();
        }
        if (value instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        return mapper.writeValueAsBytes(value);
    }

    static String utf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }
}
