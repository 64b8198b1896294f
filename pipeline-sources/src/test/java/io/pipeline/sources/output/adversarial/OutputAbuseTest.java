package io.pipeline.sources.output.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.output.CsvOutput;
import io.pipeline.sources.output.Durability;
import io.pipeline.sources.output.JsonLinesOutput;
import io.pipeline.sources.output.OutputOptions;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A demanding user's abuse of CsvOutput and JsonLinesOutput through their public API. */
class OutputAbuseTest {
    record Row(int id, String text) {}

    /** A JSON row whose getter throws halfway through its serialization. */
    public static final class Exploding {
        public int getFirst() {
            return 1;
        }

        public int getSecond() {
            throw new IllegalStateException("boom");
        }
    }

    /** A JSON row carrying pre-formatted JSON that spans lines (valid JSON, but not one line). */
    public record Raw(@JsonRawValue String payload) {}

    private final SyncDispatcher handler = new SyncDispatcher();
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path dir;

    @AfterEach
    void closeHandler() {
        handler.close();
    }

    @Test
    void csv_eightWritersAndAClose_everyAcceptedRowWhole_laterWritesRefusedClearly() throws Exception {
        Path file = dir.resolve("rows.csv");
        CsvOutput<Row> out = new CsvOutput<>("csv", handler, file, Row.class);
        List<Integer> accepted = racingWritersThenClose(id -> out.write(new Row(id, "t," + id + "\"q\"")), out::close);

        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo("id,text");
        List<Integer> written = lines.subList(1, lines.size()).stream()
                .map(line -> Integer.parseInt(line.substring(0, line.indexOf(',')))).toList();
        assertThat(written).containsExactlyInAnyOrderElementsOf(accepted);
        for (String line : lines.subList(1, lines.size())) {
            int id = Integer.parseInt(line.substring(0, line.indexOf(',')));
            assertThat(line).isEqualTo(id + ",\"t," + id + "\"\"q\"\"\"");
        }
    }

    @Test
    void json_eightWritersAndAClose_everyAcceptedRowWhole_laterWritesRefusedClearly() throws Exception {
        Path file = dir.resolve("rows.jsonl");
        JsonLinesOutput<Row> out = new JsonLinesOutput<>("json", handler, file);
        List<Integer> accepted = racingWritersThenClose(id -> out.write(new Row(id, "line\n" + id)), out::close);

        List<Integer> written = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode node = mapper.readTree(line);
            assertThat(node.get("text").asText()).isEqualTo("line\n" + node.get("id").asInt());
            written.add(node.get("id").asInt());
        }
        assertThat(written).containsExactlyInAnyOrderElementsOf(accepted);
    }

    /**
     * Eight threads write until refused; after each has written 200 rows the output is closed. Returns the ids
     * whose write returned normally; asserts every refusal is an IllegalStateException saying "closed".
     */
    private List<Integer> racingWritersThenClose(IdWrite write, Runnable close) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch warm = new CountDownLatch(8);
        List<Integer> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger ids = new AtomicInteger();
        try {
            List<Future<Throwable>> refusals = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                refusals.add(pool.submit(() -> {
                    for (int n = 0; ; n++) {
                        if (n == 200) {
                            warm.countDown();
                        }
                        int id = ids.incrementAndGet();
                        try {
                            write.write(id);
                        } catch (RuntimeException e) {
                            warm.countDown();
                            return e;
                        }
                        accepted.add(id);
                    }
                }));
            }
            assertThat(warm.await(20, TimeUnit.SECONDS)).isTrue();
            close.run();
            close.run(); // idempotent
            for (Future<Throwable> refusal : refusals) {
                assertThat(refusal.get(20, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("closed");
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        return accepted;
    }

    interface IdWrite {
        void write(int id);
    }

    @Test
    void json_getterThrowingMidValue_isRefused_andTheFileStaysOneObjectPerLine() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        try (JsonLinesOutput<Object> out = new JsonLinesOutput<>("json", handler, file,
                OutputOptions.defaults().withDurability(Durability.everyRow()))) {
            out.write(new Row(1, "a"));
            assertThatThrownBy(() -> out.write(new Exploding())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Exploding");
            out.write(new Row(2, "b"));
        }
        assertThat(Files.readAllLines(file)).containsExactly("{\"id\":1,\"text\":\"a\"}", "{\"id\":2,\"text\":\"b\"}");
    }

    @Test
    void json_rawValueSpanningLines_staysOneLine_andParses() throws Exception {
        Path file = dir.resolve("raw.jsonl");
        try (JsonLinesOutput<Object> out = new JsonLinesOutput<>("json", handler, file)) {
            out.write(new Raw("{\n  \"a\": 1,\r\n  \"b\": [2,\n3]\n}"));
            out.write(new Row(2, "b"));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(mapper.readTree(lines.get(0)).get("payload").get("b").get(1).asInt()).isEqualTo(3);
        assertThat(mapper.readTree(lines.get(1)).get("id").asInt()).isEqualTo(2);
    }

    @Test
    void unpairedSurrogates_neverMakeInvalidUtf8_orABrokenLine() throws Exception {
        Path csv = dir.resolve("s.csv");
        Path json = dir.resolve("s.jsonl");
        String bad = "x\uD800y\uDC00z";
        try (CsvOutput<Row> c = new CsvOutput<>("csv", handler, csv, Row.class);
                JsonLinesOutput<Row> j = new JsonLinesOutput<>("json", handler, json)) {
            c.write(new Row(1, bad));
            c.write(new Row(2, "ok"));
            try {
                j.write(new Row(1, bad));
            } catch (IllegalArgumentException refused) {
                assertThat(refused).hasMessageContaining("Row");
            }
            j.write(new Row(2, "ok"));
        }
        assertThat(strictUtf8(csv)).endsWith("2,ok\n");
        String jsonText = strictUtf8(json);
        for (String line : jsonText.split("\n")) {
            assertThat(mapper.readTree(line).has("id")).isTrue();
        }
        assertThat(jsonText).endsWith("{\"id\":2,\"text\":\"ok\"}\n");
    }

    private static String strictUtf8(Path file) throws Exception {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError(file + " is not valid UTF-8", e);
        }
    }

    @Test
    void csv_cellWhoseToStringThrows_isRefused_oneReturningNull_isAnEmptyCell() throws Exception {
        Path file = dir.resolve("cells.csv");
        record Cell(Object value) {}
        Object throwing = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("no text");
            }
        };
        Object nullText = new Object() {
            @Override
            public String toString() {
                return null;
            }
        };
        try (CsvOutput<Cell> out = new CsvOutput<>("csv", handler, file, Cell.class)) {
            out.write(new Cell("a"));
            assertThatThrownBy(() -> out.write(new Cell(throwing))).hasMessageContaining("no text");
            out.write(new Cell(nullText)); // an empty cell, like a null value
            out.write(new Cell("b"));
        }
        assertThat(Files.readAllLines(file)).containsExactly("value", "a", "", "b");
    }

    @Test
    void json_fiftyMegabyteRow_isWrittenWhole_andTheNextRowFollows() throws Exception {
        Path file = dir.resolve("big.jsonl");
        String big = "x".repeat(50 * 1024 * 1024);
        try (JsonLinesOutput<Row> out = new JsonLinesOutput<>("json", handler, file)) {
            out.write(new Row(1, big));
            out.write(new Row(2, "small"));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).hasSize(big.length() + "{\"id\":1,\"text\":\"\"}".length());
        assertThat(lines.get(1)).isEqualTo("{\"id\":2,\"text\":\"small\"}");
    }

    @Test
    void secondOutput_throughASymlinkOrAnotherSpellingOrTheOtherFormat_isRefused_firstUnaffected() throws Exception {
        Path file = dir.resolve("one.csv");
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), file.getFileName());
        Files.createDirectories(dir.resolve("sub"));
        try (CsvOutput<Row> first = new CsvOutput<>("first", handler, file, Row.class)) {
            first.write(new Row(1, "a"));
            assertThatThrownBy(() -> new CsvOutput<>("viaLink", handler, link, Row.class))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("first");
            assertThatThrownBy(() -> new CsvOutput<>("dotted", handler, dir.resolve("sub/../one.csv"), Row.class))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> new JsonLinesOutput<Row>("json", handler, file))
                    .isInstanceOf(IllegalStateException.class);
            first.write(new Row(2, "b"));
        }
        assertThat(Files.readAllLines(file)).containsExactly("id,text", "1,a", "2,b");
    }

    @Test
    void close_onAnInterruptedThread_writesEverything_andKeepsTheInterrupt() throws Exception {
        Path file = dir.resolve("interrupted.jsonl");
        JsonLinesOutput<Row> out = new JsonLinesOutput<>("json", handler, file,
                OutputOptions.defaults().withDurability(Durability.batched(1_000_000, java.time.Duration.ofHours(1))));
        for (int i = 0; i < 1000; i++) {
            out.write(new Row(i, "r"));
        }
        Thread.currentThread().interrupt();
        try {
            out.write(new Row(1000, "r"));
            out.close();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(Files.readAllLines(file)).hasSize(1001);
    }

    @Test
    void groupCommit_onAShutDownScheduler_stillWritesEveryRow() throws Exception {
        Path file = dir.resolve("shutdown.csv");
        ScheduledExecutorService dead = Executors.newSingleThreadScheduledExecutor();
        dead.shutdownNow();
        try (CsvOutput<Row> out = new CsvOutput<>("csv", handler, file, Row.class,
                OutputOptions.defaults().withScheduler(dead))) {
            out.write(new Row(1, "a"));
            assertThat(Files.readAllLines(file)).containsExactly("id,text", "1,a"); // written by write itself
            out.write(new Row(2, "b"));
        }
        assertThat(Files.readAllLines(file)).containsExactly("id,text", "1,a", "2,b");
    }

    @Test
    void nullArguments_areRefusedNamingTheArgument() {
        Path file = dir.resolve("n.csv");
        assertThatThrownBy(() -> new CsvOutput<>("csv", handler, null, Row.class)).hasMessageContaining("file");
        assertThatThrownBy(() -> new CsvOutput<>("csv", handler, file, (Class<Row>) null))
                .hasMessageContaining("recordType");
        assertThatThrownBy(() -> new CsvOutput<Row>("csv", handler, file, List.of("a"), null))
                .hasMessageContaining("values");
        assertThatThrownBy(() -> new JsonLinesOutput<Row>("json", handler, file, (ObjectMapper) null))
                .hasMessageContaining("mapper");
        assertThatThrownBy(() -> OutputOptions.defaults().withDurability(null)).hasMessageContaining("durability");
        assertThatThrownBy(() -> Durability.batched(0, java.time.Duration.ofSeconds(1)))
                .hasMessageContaining("maxRows");
        assertThatThrownBy(() -> Durability.batched(1, java.time.Duration.ofSeconds(-1)))
                .hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> Durability.batched(1, java.time.temporal.ChronoUnit.FOREVER.getDuration()))
                .hasMessageContaining("maxDelay");
    }
}
