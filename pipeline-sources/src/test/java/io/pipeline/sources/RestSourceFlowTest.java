package io.pipeline.sources;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.RestartPolicy;
import io.pipeline.sources.output.CsvFiles;
import io.pipeline.sources.output.CsvOutput;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.RecordingErrorReporter;
import io.pipeline.testing.ScriptedHttpEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RestSource → a processor → CsvOutput, run by a Flow against a server that alternates good and bad answers. */
class RestSourceFlowTest {
    static final Event<Price> PRICE = Event.of("price", Price.class);
    static final int GOOD_ROWS = 6;

    record Price(Instant time, int n, String label) {}

    static final class ExtractPrice extends Processor {
        ExtractPrice(String name, MessageHandler handler) {
            super(name, handler);
        }

        void handle(RestSource.Poll poll) {
            int n = poll.body().get("n").asInt();
            emit(PRICE, new Price(poll.time(), n, "price, \"" + n + "\"\nend"));
        }
    }

    final class PriceManager extends Manager {
        PriceManager(MessageHandler handler, boolean listenToErrors, int threshold) {
            super("prices", handler);
            managersBuilt.incrementAndGet();
            var source = new RestSource(processorName("source"), handler, server.url("/price?token=t0k"),
                    RestSource.Options.defaults().withRequestInterval(Duration.ofMillis(20))
                            .withExceptionThreshold(threshold));
            var extract = new ExtractPrice(processorName("extract"), handler);
            var writer = closeOnStop(new CsvOutput<>(processorName("writer"), handler, file, Price.class));
            source.on(RestSource.DATA, extract::handle);
            extract.on(PRICE, writer::write);
            extract.on(PRICE, price -> written.countDown()); // after the writer: the row is in the file
            if (listenToErrors) {
                source.on(RestSource.ERROR, errors::add);
            }
            setSource(source);
        }
    }

    private final ScriptedHttpEndpoint server = ScriptedHttpEndpoint.start();
    private final AtomicInteger goodServed = new AtomicInteger();
    private final AtomicInteger managersBuilt = new AtomicInteger();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final RecordingErrorReporter reports = new RecordingErrorReporter();
    private final CountDownLatch written = new CountDownLatch(GOOD_ROWS);

    @TempDir
    Path dir;

    Path file;

    @BeforeEach
    void start() {
        file = dir.resolve("prices.csv");
        // odd requests answer the next good value; the others alternate an HTTP 500 and malformed JSON
        server.otherwise(k -> k % 2 == 1 ? HttpReply.json("{\"n\":" + goodServed.incrementAndGet() + "}")
                : k % 4 == 2 ? HttpReply.status(500) : HttpReply.malformed());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Flow flow(boolean listenToErrors) {
        return flow(listenToErrors, 1000);
    }

    private Flow flow(boolean listenToErrors, int threshold) {
        return Flow.builder()
                .handler(new AsyncDispatcher())
                .manager(handler -> new PriceManager(handler, listenToErrors, threshold))
                .restartPolicy(RestartPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(20)))
                .errorReporter(reports)
                .build();
    }

    private List<List<String>> rows() throws IOException {
        return CsvFiles.rows(file);
    }

    @Test
    void flow_errorsListenedTo_csvHoldsExactlyTheGoodValuesInOrder() throws Exception {
        try (Flow flow = flow(true)) {
            flow.start();
            assertThat(written.await(10, SECONDS)).isTrue();
        }
        List<List<String>> rows = rows();
        assertThat(rows.get(0)).containsExactly("time", "n", "label");
        List<List<String>> data = rows.subList(1, rows.size());
        assertThat(data.size()).isGreaterThanOrEqualTo(GOOD_ROWS);
        for (int i = 0; i < data.size(); i++) {
            int n = i + 1;
            assertThat(data.get(i).get(1)).isEqualTo(String.valueOf(n));
            assertThat(data.get(i).get(2)).isEqualTo("price, \"" + n + "\"\nend");
            assertThat(Instant.parse(data.get(i).get(0))).isNotNull();
        }
        assertThat(errors).hasSizeGreaterThanOrEqualTo(GOOD_ROWS - 1)
                .allSatisfy(e -> assertThat(e).hasMessageContaining("token=REDACTED"));
        assertThat(errors.stream().map(Throwable::getMessage).filter(m -> m.contains("HTTP 500"))).isNotEmpty();
        assertThat(errors.stream().map(Throwable::getMessage).filter(m -> m.contains("not valid JSON")))
                .isNotEmpty();
        assertThat(managersBuilt).hasValue(1);
        assertThat(reports.errors()).isEmpty();
    }

    @Test
    void flow_errorsNotListenedTo_belowThreshold_managerNeverFails_csvHoldsTheGoodValuesInOrder() throws Exception {
        // The README's quick start: a threshold, no ERROR listener. Recovered poll failures are dead events.
        try (Flow flow = flow(false)) {
            flow.start();
            assertThat(written.await(10, SECONDS)).isTrue();
        }
        assertThat(managersBuilt).hasValue(1);
        assertThat(reports.errors()).isEmpty();
        List<List<String>> rows = rows();
        List<List<String>> data = rows.subList(1, rows.size());
        assertThat(data.size()).isGreaterThanOrEqualTo(GOOD_ROWS);
        for (int i = 0; i < data.size(); i++) {
            assertThat(data.get(i).get(1)).isEqualTo(String.valueOf(i + 1));
        }
    }

    @Test
    void flow_thresholdCrossed_failsTheSource_andTheFlowRestartsTheManager() throws Exception {
        server.otherwise(k -> HttpReply.status(500));
        try (Flow flow = Flow.builder()
                .handler(new AsyncDispatcher())
                .manager(handler -> new PriceManager(handler, false, 3))
                .restartPolicy(RestartPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(20)))
                .errorReporter(reports)
                .build()) {
            flow.start();
            reports.await(2, Duration.ofSeconds(10));
        }
        assertThat(reports.errors()).hasSizeGreaterThanOrEqualTo(2).allSatisfy(report -> {
            assertThat(report.willRestart()).isTrue();
            assertThat(report.cause()).hasRootCauseInstanceOf(IOException.class)
                    .satisfies(cause -> assertThat(causes(cause))
                            .anyMatch(c -> c instanceof RestSource.FailureThresholdException f && f.failures() == 3));
        });
        assertThat(managersBuilt.get()).isGreaterThanOrEqualTo(2);
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> all = new java.util.ArrayList<>();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.add(c);
        }
        return all;
    }
}
