package io.pipeline.examples.env;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged program, run as a child process with the current JDK's {@code java}. Needs {@code mvn package}. */
class EnvMonitorIT {
    private static final String END = "\u0000end of stdout";
    private static final Path JAR = Path.of(System.getProperty("envMonitor.jar", "target/env-monitor.jar"))
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

    private void start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        command.addAll(List.of(args));
        process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
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
        }, "env-monitor-it-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    private String awaitLine(String description, Duration timeout, Predicate<String> expected) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = stdout.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(END)) {
                return fail("no line " + description + "; stdout: " + seen + "; stderr: "
                        + Files.readString(dir.resolve("stderr.txt")));
            }
            seen.add(line);
            if (expected.test(line)) {
                return line;
            }
        }
    }

    private void restOfStdout() throws Exception {
        for (String line = stdout.poll(10, SECONDS); !END.equals(line); line = stdout.poll(10, SECONDS)) {
            if (line == null) {
                fail("stdout did not end; stdout: " + seen);
            }
            seen.add(line);
        }
    }

    @Test
    void jar_withNoArgumentsButAFreePort_servesThePage_andStopsCleanlyOnSigterm() throws Exception {
        assertThat(JAR).as("the shaded jar; run mvn package first").isRegularFile();

        start("--port", "0", "--interval", "200ms");
        String announced = awaitLine("with the dashboard's URL", Duration.ofSeconds(60),
                line -> line.startsWith("env-monitor: dashboard at "));
        Matcher url = Pattern.compile("(http://\\S+/)").matcher(announced);
        assertThat(url.find()).isTrue();
        awaitLine("with a reading", Duration.ofSeconds(30), line -> line.contains(" pm2_5 ") && line.contains("trend"));
        HttpResponse<String> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url.group(1))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).contains("<title>env-monitor</title>");

        assertThat(process.toHandle().destroy()).isTrue(); // SIGTERM

        assertThat(process.waitFor(30, SECONDS)).isTrue();
        assertThat(process.exitValue()).as("stderr: %s", Files.readString(dir.resolve("stderr.txt"))).isZero();
        restOfStdout();
        Path history = dir.resolve("env-history.jsonl");
        String text = Files.readString(history);
        assertThat(text).as("no half line").endsWith("}\n");
        long lines = text.lines().count();
        assertThat(seen.get(seen.size() - 1)).isEqualTo("env-monitor: stopped; " + lines
                + " readings written to env-history.jsonl");
    }
}
