package io.pipeline.sources.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;

/** The outputs' default mapper: the common {@code java.time} types as ISO-8601 strings. Stateless. */
final class IsoTimeMapper {
    private IsoTimeMapper() {}

    static ObjectMapper create() {
        return new ObjectMapper().registerModule(new SimpleModule("java-time-iso")
                .addSerializer(Instant.class, ToStringSerializer.instance)
                .addSerializer(LocalDate.class, ToStringSerializer.instance)
                .addSerializer(LocalDateTime.class, ToStringSerializer.instance)
                .addSerializer(LocalTime.class, ToStringSerializer.instance)
                .addSerializer(OffsetDateTime.class, ToStringSerializer.instance)
                .addSerializer(ZonedDateTime.class, ToStringSerializer.instance)
                .addSerializer(Duration.class, ToStringSerializer.instance));
    }
}
