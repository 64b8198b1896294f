package io.pipeline.sources;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What {@link WebSocketSource.Options#maxFrameBytes()} guarantees for memory, in a second JVM with a small heap
 * ({@link HugeFrameProbe}): OkHttp reads a whole message before the source sees its size, so a message over the cap
 * costs about three times its size in heap for a moment, and is then refused with the connection kept.
 */
class WebSocketHugeFrameTest {
    private static final long FRAME = 64L * 1024 * 1024;

    @Test
    void frameOf64MiB_overA1MiBCap_inA256MiBHeap_isRefusedWithAnError_andTheConnectionStaysUp() throws Exception {
        List<String> lines = probe("-Xmx256m", FRAME, 60_000, 1024 * 1024, 60_000);

        List<String> events = lines.stream().filter(line -> !line.contains(" WARN ")).toList(); // logs aside
        assertThat(events).hasSize(4);
        assertThat(events.get(0)).isEqualTo("connected");
        assertThat(events.get(1))
                .startsWith("error IOException: WebSocket message of 67108864 bytes exceeds maxFrameBytes 1048576")
                .endsWith("dropped without parsing");
        assertThat(events.subList(2, 4)).containsExactly("message {\"ok\":true}", "done"); // no reconnect between
    }

    /** Runs the probe in a JVM with {@code heap}; its output lines, once it has exited. */
    private static List<String> probe(String heap, long frameBytes, long heartbeatMillis, long cap, long waitMillis)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap, "-cp",
                System.getProperty("java.class.path"), HugeFrameProbe.class.getName(),
                Long.toString(frameBytes), Long.toString(heartbeatMillis), Long.toString(cap),
                Long.toString(waitMillis)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes(); // ends when the probe exits
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("probe exited").isTrue();
            return new String(output, UTF_8).lines().toList();
        } finally {
            process.destroyForcibly();
        }
    }
}
