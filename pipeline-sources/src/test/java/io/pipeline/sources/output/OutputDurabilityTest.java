package io.pipeline.sources.output;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.testing.VirtualTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When rows reach the file under each {@link Durability}, driven in virtual time where timing matters. */
class OutputDurabilityTest {
    record Row(int id, String value) {}

    private static final String HEADER = "id,value\n";

    @TempDir
    Path dir;

    private final SyncDispatcher handler = new SyncDispatcher();
    private final VirtualTime time = VirtualTime.startingAt(Instant.parse("2026-12-01T00:00:00Z"));

    @AfterEach
    void closeHandler() {
        handler.close();
    }

    private CsvOutput<Row> csv(Path file, Durability durability) {
        return new CsvOutput<>("w", handler, file, Row.class,
                OutputOptions.defaults().withDurability(durability).withScheduler(time));
    }

    private static String rows(int from, int to) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            text.append(i).append(",v").append(i).append('\n');
        }
        return text.toString();
    }

    @Test
    void defaults_areGroupCommit() {
        assertThat(OutputOptions.defaults().durability()).isEqualTo(Durability.groupCommit());
        try (CsvOutput<Row> out = new CsvOutput<>("w", handler, dir.resolve("d.csv"), Row.class)) {
            assertThat(out.durability()).isEqualTo(Durability.groupCommit());
        }
    }

    @Test
    void everyRow_rowIsInTheFileWhenWriteReturns_oneWritePerRow() throws IOException {
        Path file = dir.resolve("strict.csv");
        try (CsvOutput<Row> out = csv(file, Durability.everyRow())) {
            for (int i = 0; i < 3; i++) {
                out.write(new Row(i, "v" + i));
                assertThat(Files.readString(file)).isEqualTo(HEADER + rows(0, i + 1));
            }
            assertThat(out.writes()).isEqualTo(1 + 3); // header, then one per row
            assertThat(time.pending()).isZero();
        }
    }

    @Test
    void groupCommit_rowIsHandedToTheWriterTaskAtOnce_andInTheFileWhenItRuns() throws IOException {
        Path file = dir.resolve("group.csv");
        try (CsvOutput<Row> out = csv(file, Durability.groupCommit())) {
            assertThat(Files.readString(file)).isEqualTo(HEADER); // the header is written at construction

            out.write(new Row(0, "v0"));

            assertThat(time.nextDelay()).contains(Duration.ZERO); // due now, not after some delay
            assertThat(time.runUntilIdle()).isEqualTo(1);
            assertThat(Files.readString(file)).isEqualTo(HEADER + rows(0, 1));
        }
    }

    @Test
    void groupCommit_burstBeforeTheWriterRuns_goesOutInOneWrite() throws IOException {
        Path file = dir.resolve("burst.csv");
        try (CsvOutput<Row> out = csv(file, Durability.groupCommit())) {
            long before = out.writes();
            for (int i = 0; i < 1000; i++) {
                out.write(new Row(i, "v" + i));
            }
            assertThat(time.pending()).as("one flush task for the whole burst").isEqualTo(1);

            time.runUntilIdle();

            assertThat(out.writes() - before).isEqualTo(1);
            assertThat(Files.readString(file)).isEqualTo(HEADER + rows(0, 1000));
            // a burst: the writer keeps its turn and gathers the next rows for a short linger
            assertThat(time.nextDelay()).contains(Duration.ofNanos(LineWriter.GROUP_COMMIT_LINGER_NANOS));
            out.write(new Row(1000, "v1000"));
            out.write(new Row(1001, "v1001"));
            assertThat(time.pending()).as("no new task for rows of a burst").isEqualTo(1);
            time.advance(Duration.ofNanos(LineWriter.GROUP_COMMIT_LINGER_NANOS));
            assertThat(out.writes() - before).isEqualTo(2);
            assertThat(Files.readString(file)).isEqualTo(HEADER + rows(0, 1002));
            // the burst is over: the next run finds nothing and ends the writer's turn
            time.advance(Duration.ofNanos(LineWriter.GROUP_COMMIT_LINGER_NANOS));
            assertThat(time.pending()).isZero();
            out.write(new Row(1002, "v1002"));
            assertThat(time.nextDelay()).as("an idle row is written at once").contains(Duration.ZERO);
        }
    }

    @Test
    void groupCommit_bufferFull_theProducerWritesItself() throws IOException {
        Path file = dir.resolve("full.csv");
        String big = "x".repeat(1000);
        try (CsvOutput<Row> out = csv(file, Durability.groupCommit())) {
            for (int i = 0; i < 100; i++) { // 100 KB, the flush task never runs
                out.write(new Row(i, big));
            }
            long size = Files.size(file);
            assertThat(size).isGreaterThanOrEqualTo(LineWriter.MAX_PENDING);
            assertThat(size).isLessThan(100 * 1000);
        }
        assertThat(CsvFiles.rows(file)).hasSize(101);
    }

    @Test
    void batched_writesOnceMaxRowsAreHeld() throws IOException {
        Path file = dir.resolve("count.csv");
        try (CsvOutput<Row> out = csv(file, Durability.batched(10, Duration.ofSeconds(1)))) {
            for (int i = 0; i < 9; i++) {
                out.write(new Row(i, "v" + i));
            }
            assertThat(Files.readString(file)).isEqualTo(HEADER);

            out.write(new Row(9, "v9"));

            assertThat(Files.readString(file)).isEqualTo(HEADER + rows(0, 10));
            assertThat(time.pending()).as("the batch's timer is cancelled").isZero();
        }
    }

    @Test
    void batched_writesMaxDelayAfterTheFirstRowHeld_inVirtualTime() throws IOException {
        Path file = dir.resolve("timed.csv");
        try (CsvOutput<Row> out = csv(file, Durability.batched(1000, Duration.ofMillis(500)))) {
            long before = out.writes();
            out.write(new Row(0, "v0"));
            time.advance(Duration.ofMillis(300));
            out.write(new Row(1, "v1"));
            time.advance(Duration.ofMillis(199));
            assertThat(Files.readString(file)).isEqualTo(HEADER);

            time.advance(Duration.ofMillis(1));

            assertThat(Files.readString(file)).isEqualTo(HEADER + rows(0, 2));
            assertThat(out.writes() - before).isEqualTo(1);
            // the next batch has a timer of its own, from its own first row
            out.write(new Row(2, "v2"));
            assertThat(time.nextDelay()).contains(Duration.ofMillis(500));
        }
    }

    @Test
    void flushAndClose_writeEverythingHeld() throws IOException {
        Path file = dir.resolve("held.csv");
        CsvOutput<Row> out = csv(file, Durability.batched(1000, Duration.ofHours(1)));
        out.write(new Row(0, "v0"));
        out.flush();
        assertThat(Files.readString(file)).isEqualTo(HEADER + rows(0, 1));
        out.write(new Row(1, "v1"));

        out.close();

        assertThat(Files.readString(file)).isEqualTo(HEADER + rows(0, 2));
        assertThat(time.runUntilIdle()).as("the timer finds nothing left; it may have been cancelled").isLessThan(2);
        assertThatThrownBy(() -> out.write(new Row(2, "v2"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void groupCommit_throughAnAsyncPipeline_everyRowIsInTheFileOnceTheFlowIsIdle() throws Exception {
        Path file = dir.resolve("flow.jsonl");
        Event<Row> rowEvent = Event.of("row", Row.class);
        try (AsyncDispatcher async = new AsyncDispatcher();
             JsonLinesOutput<Row> out = new JsonLinesOutput<>("w", async, file,
                     OutputOptions.defaults().withScheduler(time))) {
            Processor source = new Processor("source", async) {};
            source.on(rowEvent, out::write);
            List<CompletableFuture<Boolean>> handled = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                handled.add(source.emitAsync(rowEvent, new Row(i, "v" + i)));
            }
            CompletableFuture.allOf(handled.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            // The flow is idle: every row was handed to the output, whose writes are queued on its scheduler by
            // then (due at once, or within a linger). Running what is due, in virtual time, writes them all.
            assertThat(time.pending()).isEqualTo(1);
            while (time.pending() > 0) {
                time.advance(Duration.ofNanos(LineWriter.GROUP_COMMIT_LINGER_NANOS));
            }

            List<String> lines = Files.readAllLines(file, UTF_8);
            assertThat(lines).hasSize(2000);
            assertThat(lines.get(1999)).isEqualTo("{\"id\":1999,\"value\":\"v1999\"}");
            assertThat(out.writes()).as("grouped").isLessThan(2000);
        }
    }

    @Test
    void groupCommit_ownWriterThread_writesWithoutFlushOrClose_andCloseEndsIt() throws Exception {
        Path file = dir.resolve("own.jsonl");
        JsonLinesOutput<Row> out = new JsonLinesOutput<>("own-thread", handler, file);
        out.write(new Row(1, "a"));

        awaitSize(file, "{\"id\":1,\"value\":\"a\"}\n".length());
        List<Thread> writers = threadsNamed("pipeline-own-thread-writer");
        assertThat(writers).hasSize(1);

        out.close();

        for (Thread writer : writers) {
            writer.join(10_000);
            assertThat(writer.isAlive()).isFalse();
        }
    }

    @Test
    void everyRow_startsNoThread() {
        try (JsonLinesOutput<Row> out = new JsonLinesOutput<>("strict-thread", handler, dir.resolve("s.jsonl"),
                OutputOptions.defaults().withDurability(Durability.everyRow()))) {
            out.write(new Row(1, "a"));
            assertThat(threadsNamed("pipeline-strict-thread-writer")).isEmpty();
        }
    }

    @Test
    void write_fromAnInterruptedThread_doesNotCloseTheFile() throws IOException {
        Path file = dir.resolve("interrupted.csv");
        try (CsvOutput<Row> out = csv(file, Durability.everyRow())) {
            Thread.currentThread().interrupt();
            try {
                out.write(new Row(0, "v0"));
            } finally {
                assertThat(Thread.interrupted()).as("interrupt flag kept").isTrue();
            }
            out.write(new Row(1, "v1"));
        }
        assertThat(Files.readString(file)).isEqualTo(HEADER + rows(0, 2));
    }

    @Test
    void close_whileOtherThreadsWrite_everyAcceptedRowIsInTheFile() throws Exception {
        Path file = dir.resolve("race.csv");
        CsvOutput<Row> out = new CsvOutput<>("w", handler, file, Row.class);
        List<Integer> accepted = new CopyOnWriteArrayList<>();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch started = new CountDownLatch(threads);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * 1_000_000;
                writers.add(pool.submit(() -> {
                    started.countDown();
                    for (int i = 0; ; i++) {
                        try {
                            out.write(new Row(base + i, "v"));
                        } catch (IllegalStateException closed) {
                            return;
                        }
                        accepted.add(base + i);
                    }
                }));
            }
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (accepted.size() < 1000 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // let the writers get going
            }

            out.close();

            for (Future<?> writer : writers) {
                writer.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<List<String>> rows = CsvFiles.rows(file);
        assertThat(rows.get(0)).containsExactly("id", "value");
        assertThat(rows.subList(1, rows.size())).extracting(row -> Integer.parseInt(row.get(0)))
                .containsExactlyInAnyOrderElementsOf(accepted);
    }

    @Test
    void failedBackgroundWrite_isAnErrorEvent_andLaterWritesThrow() throws IOException {
        Path full = Path.of("/dev/full"); // every write fails with ENOSPC
        assumeTrue(Files.isWritable(full), "needs /dev/full");
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        JsonLinesOutput<Row> out = new JsonLinesOutput<>("full", handler, full,
                OutputOptions.defaults().withScheduler(time));
        out.on(Processor.ERROR, errors::add);
        out.write(new Row(1, "a"));

        time.runUntilIdle();

        assertThat(errors).singleElement().isInstanceOf(UncheckedIOException.class)
                .extracting(Throwable::getMessage).asString().contains("/dev/full");
        assertThatThrownBy(() -> out.write(new Row(2, "b"))).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("an earlier write to /dev/full failed");
        assertThatThrownBy(out::close).isInstanceOf(UncheckedIOException.class);
        out.close(); // idempotent
    }

    private static List<Thread> threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).toList();
    }

    /** Bounded wait for the output's own thread, which a test cannot drive: the file reaching {@code size}. */
    private static void awaitSize(Path file, long size) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.size(file) < size && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(Files.size(file)).isEqualTo(size);
    }
}
