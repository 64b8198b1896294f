package io.pipeline.sources.output;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

class CsvOutputTest {
    record Quote(Instant time, String symbol, double price) {}

    record Text(int id, String value) {}

    @TempDir
    Path dir;

    private final SyncDispatcher handler = new SyncDispatcher();

    @AfterEach
    void closeHandler() {
        handler.close();
    }

    @Test
    void header_writtenOnce_acrossReopen() throws IOException {
        Path file = dir.resolve("quotes.csv");
        try (CsvOutput<Quote> out = new CsvOutput<>("w", handler, file, Quote.class)) {
            out.write(new Quote(Instant.parse("2026-11-21T10:15:30Z"), "AAPL", 1.5));
        }
        try (CsvOutput<Quote> out = new CsvOutput<>("w", handler, file, Quote.class)) {
            out.write(new Quote(Instant.parse("2026-11-21T10:16:30Z"), "AAPL", 2.5));
        }
        assertThat(Files.readString(file)).isEqualTo("time,symbol,price\n"
                + "2026-11-21T10:15:30Z,AAPL,1.5\n"
                + "2026-11-21T10:16:30Z,AAPL,2.5\n");
    }

    @Test
    void header_writtenWhenExistingFileIsEmpty() throws IOException {
        Path file = dir.resolve("empty.csv");
        Files.createFile(file);
        try (CsvOutput<Text> out = new CsvOutput<>("w", handler, file, Text.class)) {
            out.write(new Text(1, "a"));
        }
        assertThat(Files.readString(file)).isEqualTo("id,value\n1,a\n");
    }

    @Test
    void write_quotesCommasQuotesAndNewlines_roundTrips() throws IOException {
        Path file = dir.resolve("text.csv");
        List<String> nasty = List.of("plain", "a,b", "say \"hi\"", "two\nlines", "crlf\r\nend", " spaced ", "",
                "\"", ",\n\"");
        try (CsvOutput<Text> out = new CsvOutput<>("w", handler, file, Text.class)) {
            for (int i = 0; i < nasty.size(); i++) {
                out.write(new Text(i, nasty.get(i)));
            }
        }
        List<List<String>> rows = CsvFiles.rows(file);
        assertThat(rows.get(0)).containsExactly("id", "value");
        assertThat(rows).hasSize(nasty.size() + 1);
        for (int i = 0; i < nasty.size(); i++) {
            assertThat(rows.get(i + 1)).containsExactly(String.valueOf(i), nasty.get(i));
        }
        assertThat(Files.readString(file)).contains("\"a,b\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"");
    }

    @Test
    void write_instant_asIso8601Utc() throws IOException {
        Path file = dir.resolve("time.csv");
        try (CsvOutput<Quote> out = new CsvOutput<>("w", handler, file, Quote.class)) {
            out.write(new Quote(Instant.ofEpochSecond(1_795_256_130L), "X", 3));
        }
        assertThat(CsvFiles.rows(file).get(1)).containsExactly("2026-11-21T10:15:30Z", "X", "3.0");
    }

    @Test
    void write_withColumnsAndFunction_writesCellsInOrder() throws IOException {
        Path file = dir.resolve("custom.csv");
        try (CsvOutput<Quote> out = new CsvOutput<>("w", handler, file, List.of("symbol", "price"),
                q -> List.of(q.symbol(), q.price()))) {
            out.write(new Quote(Instant.EPOCH, "MSFT", 10.25));
            assertThatThrownBy(() -> new CsvOutput<Quote>("w2", handler, dir.resolve("x.csv"), List.of("a", "a"),
                    q -> List.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");
        }
        assertThat(Files.readString(file)).isEqualTo("symbol,price\nMSFT,10.25\n");
    }

    @Test
    void write_wrongNumberOfCells_throwsAndWritesNothing() throws IOException {
        Path file = dir.resolve("bad.csv");
        try (CsvOutput<Quote> out = new CsvOutput<>("w", handler, file, List.of("symbol", "price"),
                q -> List.of(q.symbol()))) {
            assertThatThrownBy(() -> out.write(new Quote(Instant.EPOCH, "MSFT", 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 values for 2 columns");
        }
        assertThat(Files.readString(file)).isEqualTo("symbol,price\n");
    }

    @Test
    void write_afterClose_throws_andCloseIsIdempotent() {
        CsvOutput<Text> out = new CsvOutput<>("w", handler, dir.resolve("closed.csv"), Text.class);
        out.close();
        out.close();
        assertThatThrownBy(() -> out.write(new Text(1, "x"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void constructor_nonRecordType_throws() {
        assertThatThrownBy(() -> new CsvOutput<>("w", handler, dir.resolve("s.csv"), String.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a record");
    }

    @Test
    void concurrentWrites_neverInterleave() throws Exception {
        Path file = dir.resolve("concurrent.csv");
        int threads = 8;
        int perThread = 400;
        try (CsvOutput<Text> out = new CsvOutput<>("w", handler, file, Text.class)) {
            // long values with commas, quotes and newlines make torn rows visible
            ConcurrentWriters.run(threads, perThread,
                    id -> out.write(new Text(id, ("v" + id + ",\"x\"\n").repeat(20))));
        }
        List<List<String>> rows = CsvFiles.rows(file);
        assertThat(rows.get(0)).containsExactly("id", "value");
        assertThat(rows).hasSize(threads * perThread + 1);
        Set<Integer> ids = new HashSet<>();
        for (List<String> row : rows.subList(1, rows.size())) {
            int id = Integer.parseInt(row.get(0));
            assertThat(row.get(1)).isEqualTo(("v" + id + ",\"x\"\n").repeat(20));
            ids.add(id);
        }
        assertThat(ids).hasSize(threads * perThread);
    }

    @Test
    void reopen_truncatedLastRow_isRemovedBeforeAppending() throws IOException {
        Path file = dir.resolve("crash.csv");
        Files.writeString(file, "id,value\n1,a\n2,\"hal", UTF_8);
        try (CsvOutput<Text> out = new CsvOutput<>("w", handler, file, Text.class)) {
            out.write(new Text(3, "c"));
        }
        assertThat(Files.readString(file)).isEqualTo("id,value\n1,a\n3,c\n");
    }

    @Test
    void reopen_rowCutInsideQuotedNewline_isRemovedBeforeAppending() throws IOException {
        Path file = dir.resolve("crash-quoted.csv");
        // the cut happened just after a newline inside a quoted value: the file ends with \n but the row is partial
        Files.writeString(file, "id,value\n1,\"x\ny\"\n2,\"first line\n", UTF_8);
        try (CsvOutput<Text> out = new CsvOutput<>("w", handler, file, Text.class)) {
            out.write(new Text(3, "c"));
        }
        assertThat(CsvFiles.rows(file))
                .containsExactly(List.of("id", "value"), List.of("1", "x\ny"), List.of("3", "c"));
    }

    @Test
    void reopen_cutInsideHeader_rewritesHeader() throws IOException {
        Path file = dir.resolve("crash-header.csv");
        Files.writeString(file, "id,va", UTF_8);
        try (CsvOutput<Text> out = new CsvOutput<>("w", handler, file, Text.class)) {
            out.write(new Text(1, "a"));
        }
        assertThat(Files.readString(file)).isEqualTo("id,value\n1,a\n");
    }

    @Test
    void write_nullValues_areEmptyCells_columnsStayAligned() throws IOException {
        Path file = dir.resolve("nulls.csv");
        try (CsvOutput<Quote> out = new CsvOutput<>("w", handler, file, Quote.class)) {
            out.write(new Quote(null, "AAPL", 1.5));
            out.write(new Quote(Instant.EPOCH, null, 2));
        }
        try (CsvOutput<String> out = new CsvOutput<>("w", handler, file, List.of("time", "symbol", "price"),
                s -> java.util.Arrays.asList(null, s, null))) {
            out.write("MSFT");
        }
        assertThat(Files.readString(file)).isEqualTo("time,symbol,price\n"
                + ",AAPL,1.5\n"
                + "1970-01-01T00:00:00Z,,2.0\n"
                + ",MSFT,\n");
        assertThat(CsvFiles.rows(file)).allSatisfy(row -> assertThat(row).hasSize(3));
    }

    @Test
    void open_existingFileWithOtherColumnNames_failsNamingBothHeaders_andLeavesItUntouched() throws IOException {
        Path file = dir.resolve("other.csv");
        String before = "id,name\n1,a\n";
        Files.writeString(file, before, UTF_8);

        assertThatThrownBy(() -> new CsvOutput<>("w", handler, file, Text.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[id, name]").hasMessageContaining("[id, value]")
                .hasMessageContaining(file.toString());

        assertThat(Files.readString(file)).isEqualTo(before);
        // and the refused output released the file: a matching one opens it
        try (CsvOutput<String> out = new CsvOutput<>("w", handler, file, List.of("id", "name"),
                s -> List.of(2, s))) {
            out.write("b");
        }
        assertThat(Files.readString(file)).isEqualTo(before + "2,b\n");
    }

    @Test
    void open_existingFileWithColumnsInAnotherOrder_fails() throws IOException {
        Path file = dir.resolve("order.csv");
        Files.writeString(file, "value,id\nx,1\n", UTF_8);

        assertThatThrownBy(() -> new CsvOutput<>("w", handler, file, Text.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[value, id]").hasMessageContaining("[id, value]");
        assertThat(Files.readString(file)).isEqualTo("value,id\nx,1\n");
    }

    @Test
    void open_existingFileWithSameHeader_quotedOrWithCrLf_appends() throws IOException {
        Path file = dir.resolve("quoted-header.csv");
        Files.writeString(file, "\"a,b\",\"say \"\"hi\"\"\",c\r\n1,2,3\r\n", UTF_8);
        try (CsvOutput<String> out = new CsvOutput<>("w", handler, file, List.of("a,b", "say \"hi\"", "c"),
                s -> List.of(s, s, s))) {
            out.write("x");
        }
        assertThat(CsvFiles.rows(file)).hasSize(3).last().isEqualTo(List.of("x", "x", "x"));
    }

    @Test
    void open_fileWithHeaderOnly_appendsWithoutRepeatingIt() throws IOException {
        Path file = dir.resolve("header-only.csv");
        Files.writeString(file, "id,value\n", UTF_8);
        try (CsvOutput<Text> out = new CsvOutput<>("w", handler, file, Text.class)) {
            out.write(new Text(1, "a"));
        }
        assertThat(Files.readString(file)).isEqualTo("id,value\n1,a\n");
    }

    @Test
    void write_nonAsciiAndNumbers_asUtf8AndToString() throws IOException {
        Path file = dir.resolve("utf8.csv");
        try (CsvOutput<List<Object>> out = new CsvOutput<>("w", handler, file, List.of("text", "d", "f", "l", "b"),
                cells -> cells)) {
            out.write(List.of("é € 😀 ü", 1.0E-7, 2.5f, Long.MIN_VALUE, true));
            out.write(java.util.Arrays.asList("bad \uD800 surrogate", Double.NaN, -0.0f, 0L, null));
        }
        assertThat(Files.readString(file, UTF_8)).isEqualTo("text,d,f,l,b\n"
                + "é € 😀 ü,1.0E-7,2.5," + Long.MIN_VALUE + ",true\n"
                + "bad ? surrogate,NaN,-0.0,0,\n");
    }
}
