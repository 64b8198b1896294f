package io.pipeline.sources.output;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per file: a second output on a file being written fails at construction; the first goes on. */
class OutputLockTest {
    record Row(int id, String value) {}

    @TempDir
    Path dir;

    private final SyncDispatcher handler = new SyncDispatcher();

    @AfterEach
    void closeHandler() {
        handler.close();
    }

    @Test
    void secondCsvOutput_sameFileInThisJvm_failsClearly_firstUnaffected() throws IOException {
        Path file = dir.resolve("one.csv");
        try (CsvOutput<Row> first = new CsvOutput<>("first", handler, file, Row.class)) {
            first.write(new Row(1, "a"));

            assertThatThrownBy(() -> new CsvOutput<>("second", handler, file, Row.class))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("'first'")
                    .hasMessageContaining("one writer per file");
            // also through another spelling of the same path
            Path other = dir.resolve(".").resolve("one.csv");
            assertThatThrownBy(() -> new JsonLinesOutput<Row>("third", handler, other))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("one writer per file");

            first.write(new Row(2, "b"));
        }
        assertThat(Files.readString(file)).isEqualTo("id,value\n1,a\n2,b\n");
    }

    @Test
    void secondJsonLinesOutput_sameFileInThisJvm_fails_untilTheFirstIsClosed() throws IOException {
        Path file = dir.resolve("one.jsonl");
        JsonLinesOutput<Row> first = new JsonLinesOutput<>("first", handler, file);
        first.write(new Row(1, "a"));
        assertThatThrownBy(() -> new JsonLinesOutput<Row>("second", handler, file))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'first'");
        first.close();

        try (JsonLinesOutput<Row> second = new JsonLinesOutput<>("second", handler, file)) {
            second.write(new Row(2, "b"));
        }
        assertThat(Files.readAllLines(file, UTF_8))
                .containsExactly("{\"id\":1,\"value\":\"a\"}", "{\"id\":2,\"value\":\"b\"}");
    }

    @Test
    void secondOutput_inAnotherProcess_failsClearly_firstUnaffected() throws Exception {
        Path file = dir.resolve("shared.csv");
        try (CsvOutput<Row> first = new CsvOutput<>("first", handler, file, Row.class,
                OutputOptions.defaults().withDurability(Durability.everyRow()))) {
            first.write(new Row(1, "a"));
            // A refused second output in this JVM must not have opened and closed the file: on Linux, closing any
            // descriptor of the file drops the process's lock, and the other process would then get in.
            assertThatThrownBy(() -> new CsvOutput<>("second", handler, file, Row.class))
                    .isInstanceOf(IllegalStateException.class);

            Probe probe = probe(file);

            assertThat(probe.exitCode).as("probe output: %s", probe.output).isEqualTo(LockProbe.REFUSED);
            assertThat(probe.output).contains("another process").contains("one writer per file")
                    .contains(file.toString());
            first.write(new Row(2, "b"));
        }
        assertThat(Files.readString(file)).isEqualTo("id,value\n1,a\n2,b\n");
    }

    @Test
    void closedOutput_releasesTheLock_anotherProcessThenWrites() throws Exception {
        Path file = dir.resolve("released.csv");
        try (CsvOutput<Row> first = new CsvOutput<>("first", handler, file, Row.class)) {
            first.write(new Row(1, "a"));
        }

        Probe probe = probe(file);

        assertThat(probe.exitCode).as("probe output: %s", probe.output).isEqualTo(LockProbe.WROTE);
        assertThat(Files.readString(file)).isEqualTo("id,value\n1,a\n" + LockProbe.ROW + "\n");
    }

    private record Probe(int exitCode, String output) {}

    /** Runs {@link LockProbe} in a second JVM on the test class path. */
    private static Probe probe(Path file) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LockProbe.class.getName());
        command.add(file.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes(); // ends when the probe exits
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("probe exited").isTrue();
            return new Probe(process.exitValue(), new String(output, UTF_8));
        } finally {
            process.destroyForcibly();
        }
    }
}
