package io.pipeline.sources.output;

import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.List;

/** CSV cells: turning values into text, quoting them as RFC 4180 asks, and reading a record back (a header). */
final class Values {
    private Values() {}

    /**
     * {@code value} as the text of a CSV cell: {@code null} as the empty string, strings as they are, numbers and
     * booleans by {@code toString()}; {@code java.time} values by their ISO-8601 {@code toString()} ({@code Instant}
     * in UTC: {@code 2026-11-21T10:15:30Z}); enums by name; anything else by {@code toString()}.
     */
    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof TemporalAccessor || value instanceof TemporalAmount) {
            return value.toString();
        }
        String text = value.toString();
        return text != null ? text : ""; // a toString() returning null: an empty cell, like a null value
    }

    /**
     * Appends {@code cells} as one CSV record without its line break: separated by commas, a cell quoted when it
     * holds a comma, a quote, a line break or begins or ends with a space, its quotes doubled.
     */
    static void appendRecord(StringBuilder out, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            appendCell(out, cells.get(i));
        }
    }

    /** Appends one cell's text, quoted if it needs to be. */
    static void appendCell(StringBuilder out, String cell) {
        if (!needsQuotes(cell)) {
            out.append(cell);
            return;
        }
        out.append('"');
        for (int i = 0; i < cell.length(); i++) {
            char c = cell.charAt(i);
            if (c == '"') {
                out.append('"');
            }
            out.append(c);
        }
        out.append('"');
    }

    private static boolean needsQuotes(String cell) {
        int n = cell.length();
        if (n == 0) {
            return false;
        }
        if (cell.charAt(0) == ' ' || cell.charAt(n - 1) == ' ') {
            return true;
        }
        for (int i = 0; i < n; i++) {
            char c = cell.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                return true;
            }
        }
        return false;
    }

    /**
     * The cells of one CSV record without its line break (a trailing {@code \r} is dropped, as is a leading
     * byte-order mark): the reverse of {@link #appendRecord}.
     */
    static List<String> parseRecord(String line) {
        String text = line.startsWith("\uFEFF") ? line.substring(1) : line;
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
