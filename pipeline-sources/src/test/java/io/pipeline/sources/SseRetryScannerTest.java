package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import okio.Buffer;
import okio.Okio;
import okio.Source;
import org.junit.jupiter.api.Test;

class SseRetryScannerTest {
    private final List<Long> reported = new ArrayList<>();
    private final SseRetryScanner scanner = new SseRetryScanner(reported::add);

    private void feed(String text) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            scanner.accept(b);
        }
    }

    @Test
    void retryLine_withOrWithoutSpace_isReported() {
        feed("retry: 100\nretry:200\r\nretry:300\r");

        assertThat(reported).containsExactly(100L, 200L, 300L);
    }

    @Test
    void invalidValues_andOtherFields_areIgnored() {
        feed("retry:  5\nretry: 5s\nretry:\nretry\nretryx: 5\ndata: retry: 5\n: retry: 5\nRETRY: 5\n"
                + "retry: 99999999999999999999\n");

        assertThat(reported).isEmpty();
    }

    @Test
    void lineWithoutTerminator_isNotReportedYet() {
        feed("retry: 10");
        assertThat(reported).isEmpty();

        feed("\n");
        assertThat(reported).containsExactly(10L);
    }

    @Test
    void wrappedSource_scansBytesSplitAcrossReads() throws IOException {
        Buffer upstream = new Buffer().writeUtf8("data: a\n\nretry: 1234\n\n");
        Source scanned = scanner.wrap(upstream);
        Buffer sink = new Buffer();

        while (scanned.read(sink, 3) != -1) {
            // read three bytes at a time so that the field spans reads
        }

        assertThat(sink.readUtf8()).isEqualTo("data: a\n\nretry: 1234\n\n");
        assertThat(reported).containsExactly(1234L);
        assertThat(Okio.buffer(scanner.wrap(new Buffer())).exhausted()).isTrue();
    }
}
