package io.pipeline.examples.stock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads a ticker CSV file back, asserting that it is whole: one header, then complete 13-column rows. */
final class CsvRows {
    static final String HEADER = String.join(",", Quote.CSV_COLUMNS);

    /** One parsed row. */
    record Row(Instant pollTime, String symbol, BigDecimal price, String line) {}

    private CsvRows() {}

    static List<Row> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(text).as("the file ends with a whole line").endsWith("\n");
        List<String> lines = text.lines().toList();
        assertThat(lines).as("lines of " + file).isNotEmpty();
        assertThat(lines.get(0)).isEqualTo(HEADER);
        assertThat(lines.subList(1, lines.size())).as("the header is written once").doesNotContain(HEADER);
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            // No value of the ticker holds a comma or a quote, so a well-formed row is 13 plain fields.
            String[] fields = line.split(",", -1);
            assertThat(fields).as("fields of row '%s'", line).hasSize(Quote.CSV_COLUMNS.size());
            assertThat(line).as("row '%s' has no quoting", line).doesNotContain("\"");
            Instant pollTime = Instant.parse(fields[0]);
            BigDecimal price = new BigDecimal(fields[3]);
            assertThat(price).as("price of '%s'", line).isPositive();
            assertThat(fields[2]).as("symbol of '%s'", line).isNotBlank();
            rows.add(new Row(pollTime, fields[2], price, line));
        }
        return rows;
    }
}
