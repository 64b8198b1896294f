package io.pipeline.examples.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run in this JVM. */
class EnvMonitorTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return EnvMonitor.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, args);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void help_listsTheOptions_andExits0() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: env-monitor")
                .contains("--location", "--interval", "--port", "--history", "--duration", "--live", "--url",
                        "--threshold", "--stale-after");
    }

    @Test
    void badOptions_exit2_namingTheValue() {
        assertThat(run("--live", "--url", "http://localhost:1")).isEqualTo(2);
        assertThat(stderr()).contains("--live and --url cannot be combined");
        err.reset();
        assertThat(run("--live", "--interval", "30s")).isEqualTo(2);
        assertThat(stderr()).contains("30s is too short for --live");
        err.reset();
        assertThat(run("--location", "Paris:48,2")).isEqualTo(2);
        assertThat(stderr()).contains("'Paris:48,2' is not NAME=LATITUDE,LONGITUDE");
        err.reset();
        assertThat(run("--location", "Mars=123,4")).isEqualTo(2);
        assertThat(stderr()).contains("latitude not within -90..90: 123.0");
        err.reset();
        assertThat(run("--location", "Paris=48.85,2.35", "--location", "paris=1,1")).isEqualTo(2);
        assertThat(stderr()).contains("'paris' is given twice");
        err.reset();
        assertThat(run("--threshold", "pm2_5=10:20")).isEqualTo(2);
        assertThat(stderr()).contains("must clear at or below where it is raised");
        err.reset();
        assertThat(run("--port", "70000")).isEqualTo(2);
        assertThat(stderr()).contains("70000 is not within 0..65535");
        err.reset();
        assertThat(run("--history", dir.toString())).isEqualTo(2);
        assertThat(stderr()).contains("is a directory");
        err.reset();
        assertThat(run("--interval", "0s")).isEqualTo(2);
        assertThat(stderr()).contains("'0s' is not a positive duration");
    }

    @Test
    void run_forADuration_offline_writesHistory_andExits0() throws Exception {
        Path history = dir.resolve("h.jsonl");
        int code = run("--port", "0", "--interval", "100ms", "--duration", "2s", "--history", history.toString(),
                "--location", "Paris=48.85,2.35", "--threshold", "temperature_2m=35");

        assertThat(code).as("stderr: %s", stderr()).isZero();
        List<String> lines = Files.readAllLines(history);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("env-monitor: monitoring Paris every 100ms from http://127.0.0.1:")
                .contains("(embedded simulator)").contains("env-monitor: dashboard at http://127.0.0.1:")
                .contains("env-monitor: stopped; " + lines.size() + " readings written to " + history);
        assertThat(lines).isNotEmpty().allMatch(line -> line.startsWith("{\"time\":\"") && line.endsWith("}")
                && line.contains("\"location\":\"Paris\""));
        MonitorTest.assertNoMonitorThreadAlive();
    }

    @Test
    void portInUse_exits1_saying_why() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int code = run("--port", String.valueOf(taken.getLocalPort()), "--history", dir.resolve("h").toString(),
                    "--duration", "1s");
            assertThat(code).isEqualTo(1);
            assertThat(stderr()).contains("env-monitor: cannot start: SseOutput 'env-monitor.web' cannot listen on "
                    + "127.0.0.1:" + taken.getLocalPort());
        }
        MonitorTest.assertNoMonitorThreadAlive();
    }
}
