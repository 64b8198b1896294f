package io.pipeline.sources.output;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pipeline.core.SyncDispatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesOutputTest {
    record Quote(Instant time, String symbol, double price) {}

    @TempDir
    Path dir;

    private final SyncDispatcher handler = new SyncDispatcher();
    private final ObjectMapper mapper = new ObjectMapper();

    @AfterEach
    void closeHandler() {
        handler.close();
    }

    @Test
    void write_oneObjectPerLine_instantAsIso8601() throws IOException {
        Path file = dir.resolve("q.jsonl");
        try (JsonLinesOutput<Quote> out = new JsonLinesOutput<>("w", handler, file)) {
            out.write(new Quote(Instant.parse("2026-11-21T10:15:30Z"), "A\nB", 1.5));
            out.write(new Quote(Instant.parse("2026-11-21T10:16:30Z"), "C", 2));
        }
        List<String> lines = Files.readAllLines(file, UTF_8);
        assertThat(lines).containsExactly(
                "{\"time\":\"2026-11-21T10:15:30Z\",\"symbol\":\"A\\nB\",\"price\":1.5}",
                "{\"time\":\"2026-11-21T10:16:30Z\",\"symbol\":\"C\",\"price\":2.0}");
    }

    @Test
    void write_indentingMapper_stillOneLine() throws IOException {
        Path file = dir.resolve("indent.jsonl");
        ObjectMapper indenting = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try (JsonLinesOutput<List<Integer>> out = new JsonLinesOutput<>("w", handler, file, indenting)) {
            out.write(List.of(1, 2));
        }
        assertThat(Files.readString(file)).isEqualTo("[1,2]\n");
    }

    @Test
    void reopen_appends_andRemovesTruncatedLine() throws IOException {
        Path file = dir.resolve("crash.jsonl");
        Files.writeString(file, "{\"a\":1}\n{\"a\":2}\n{\"a\":", UTF_8);
        try (JsonLinesOutput<java.util.Map<String, Integer>> out = new JsonLinesOutput<>("w", handler, file)) {
            out.write(java.util.Map.of("a", 3));
        }
        assertThat(Files.readString(file)).isEqualTo("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
    }

    @Test
    void write_afterClose_throws() {
        JsonLinesOutput<String> out = new JsonLinesOutput<>("w", handler, dir.resolve("c.jsonl"));
        out.close();
        out.close();
        assertThatThrownBy(() -> out.write("x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void concurrentWrites_neverInterleave() throws Exception {
        Path file = dir.resolve("concurrent.jsonl");
        int threads = 8;
        int perThread = 400;
        try (JsonLinesOutput<Quote> out = new JsonLinesOutput<>("w", handler, file)) {
            ConcurrentWriters.run(threads, perThread,
                    id -> out.write(new Quote(Instant.EPOCH, ("s" + id).repeat(50), id)));
        }
        List<String> lines = Files.readAllLines(file, UTF_8);
        assertThat(lines).hasSize(threads * perThread);
        Set<Integer> ids = new HashSet<>();
        for (String line : lines) {
            JsonNode node = mapper.readTree(line);
            int id = node.get("price").asInt();
            assertThat(node.get("symbol").asText()).isEqualTo(("s" + id).repeat(50));
            ids.add(id);
        }
        assertThat(ids).hasSize(threads * perThread);
    }

    @Test
    void write_nullProperty_isWrittenAsNull_everyLineHasEveryProperty() throws IOException {
        Path file = dir.resolve("nulls.jsonl");
        try (JsonLinesOutput<Quote> out = new JsonLinesOutput<>("w", handler, file)) {
            out.write(new Quote(null, "A", 1));
            out.write(new Quote(Instant.EPOCH, null, 2));
        }
        assertThat(Files.readAllLines(file, UTF_8)).containsExactly(
                "{\"time\":null,\"symbol\":\"A\",\"price\":1.0}",
                "{\"time\":\"1970-01-01T00:00:00Z\",\"symbol\":null,\"price\":2.0}");
    }

    record Fussy(int id) {
        @Override
        public int id() {
            if (id < 0) {
                throw new IllegalStateException("negative id " + id);
            }
            return id;
        }
    }

    @Test
    void write_valueWhoseSerializerThrows_isRefused_andTheNextLineIsWhole() throws IOException {
        Path file = dir.resolve("fussy.jsonl");
        try (JsonLinesOutput<Object> out = new JsonLinesOutput<>("w", handler, file)) {
            out.write(List.of(new Fussy(1)));
            assertThatThrownBy(() -> out.write(List.of(new Fussy(2), new Fussy(-1))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative id -1");
            out.write(List.of(new Fussy(3)));
        }
        assertThat(Files.readAllLines(file, UTF_8)).containsExactly("[{\"id\":1}]", "[{\"id\":3}]");
    }
}
