package io.pipeline.examples.stock;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged program, run as a child process with the current JDK's {@code java}. Needs {@code mvn package}. */
class StockTickerIT {
    private static final String END = "\u0000end of stdout";
    private static final Path JAR = Path.of(System.getProperty("stockTicker.jar", "target/stock-ticker.jar"))
            .toAbsolutePath();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path dir;

    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private Process process;

    @AfterEach
    void killLeftovers() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, SECONDS);
        }
    }

    private Process start(Path workingDirectory, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        command.addAll(List.of(args));
        process = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    stdout.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                stdout.add(END);
            }
        }, "stock-ticker-it-stdout");
        reader.setDaemon(true);
        reader.start();
        return process;
    }

    /** Reads stdout until a line {@code expected} accepts; fails after {@code timeout} or at the end of output. */
    private String awaitLine(String description, Duration timeout, Predicate<String> expected) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = stdout.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(END)) {
                return fail("no line " + description + (line == null ? " within " + timeout : " before the end")
                        + "; stdout: " + seen + "; stderr: " + stderr());
            }
            seen.add(line);
            if (expected.test(line)) {
                return line;
            }
        }
    }

    private List<String> restOfStdout(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String line = stdout.poll(timeout.toNanos(), TimeUnit.NANOSECONDS); !END.equals(line);
                line = stdout.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
            if (line == null) {
                return fail("stdout did not end within " + timeout + "; stdout: " + seen);
            }
            seen.add(line);
        }
        return seen;
    }

    private String stderr() throws IOException {
        Path file = dir.resolve("stderr.txt");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private long quoteLines() {
        return seen.stream().filter(line -> line.matches("\\S+Z  (AAPL|MSFT) .* USD .*")).count();
    }

    @Test
    void jar_stoppedBySigterm_exits0_withEveryPrintedQuoteWholeInTheCsv() throws Exception {
        assertThat(JAR).as("the shaded jar; run mvn package first").isRegularFile();
        Path csv = dir.resolve("quotes.csv");

        start(dir, "--symbol", "AAPL,MSFT", "--interval", "200ms", "--out", csv.toString());
        awaitLine("announcing the start", Duration.ofSeconds(60), line -> line.startsWith("stock-ticker: polling"));
        awaitLine("completing four quotes", Duration.ofSeconds(30), line -> quoteLines() >= 4);
        // SIGTERM on Linux. Not Process.destroy(): it also closes our end of the child's stdout, losing its last lines.
        assertThat(process.toHandle().destroy()).isTrue();

        assertThat(process.waitFor(30, SECONDS)).as("the program ends after SIGTERM").isTrue();
        assertThat(process.exitValue()).as("exit code; stderr: %s", stderr()).isZero();
        restOfStdout(Duration.ofSeconds(10));
        List<CsvRows.Row> rows = CsvRows.read(csv); // one header, whole rows, a final line break
        assertThat(rows).extracting(CsvRows.Row::symbol).contains("AAPL", "MSFT");
        assertThat(rows).hasSize((int) quoteLines());
        Optional<String> last = seen.stream().reduce((first, second) -> second);
        assertThat(last).hasValue("stock-ticker: stopped; " + rows.size() + " quotes written to " + csv);
    }

    @Test
    void jar_twoTickersOnOneOut_theSecondExits1Clearly_theFirstWritesAWellFormedFile() throws Exception {
        assertThat(JAR).as("the shaded jar; run mvn package first").isRegularFile();
        Path csv = dir.resolve("quotes.csv");
        start(dir, "--symbol", "AAPL", "--interval", "200ms", "--out", csv.toString());
        awaitLine("completing a quote", Duration.ofSeconds(60), line -> quoteLines() >= 1);

        Path secondErr = dir.resolve("second-stderr.txt");
        Process second = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "--symbol", "MSFT", "--interval", "200ms",
                "--out", csv.toString())
                .directory(dir.toFile()).redirectOutput(dir.resolve("second-stdout.txt").toFile())
                .redirectError(secondErr.toFile()).start();
        try {
            assertThat(second.waitFor(60, SECONDS)).as("the second ticker gives up").isTrue();
            assertThat(second.exitValue()).isEqualTo(1);
        } finally {
            second.destroyForcibly();
        }
        assertThat(Files.readString(secondErr)).contains("stock-ticker: cannot start: ").contains(csv.toString())
                .contains("one writer per file");

        awaitLine("completing two more quotes", Duration.ofSeconds(30), line -> quoteLines() >= 3);
        assertThat(process.toHandle().destroy()).isTrue();
        assertThat(process.waitFor(30, SECONDS)).isTrue();
        assertThat(process.exitValue()).as("exit code; stderr: %s", stderr()).isZero();
        restOfStdout(Duration.ofSeconds(10));
        List<CsvRows.Row> rows = CsvRows.read(csv);
        assertThat(rows).extracting(CsvRows.Row::symbol).containsOnly("AAPL");
        assertThat(rows).hasSize((int) quoteLines());
    }

    @Test
    void jar_help_fromTheRepositoryRoot_exits0() throws Exception {
        Path root = JAR.getParent().getParent().getParent();
        assertThat(root.resolve("pipeline-examples/target/stock-ticker.jar")).isRegularFile();

        start(root, "--help");

        assertThat(process.waitFor(60, SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(restOfStdout(Duration.ofSeconds(10))).first().asString().startsWith("Usage: stock-ticker");
    }
}
