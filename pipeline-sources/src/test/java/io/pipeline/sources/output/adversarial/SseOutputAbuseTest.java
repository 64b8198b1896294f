package io.pipeline.sources.output.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.SseSource;
import io.pipeline.sources.output.SseOutput;
import io.pipeline.testing.ThreadLeaks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SseOutput read by this library's own SseSource, with an indenting mapper, racing senders and a close. */
class SseOutputAbuseTest {
    public record Point(String name, double value) {}

    /** Pre-formatted JSON spanning lines, passed through as it is. */
    public record Raw(@JsonRawValue String payload) {}

    private final SyncDispatcher handler = new SyncDispatcher();
    private final ObjectMapper plain = new ObjectMapper();

    @AfterEach
    void closeHandler() {
        handler.close();
    }

    @Test
    void indentingMapperOrMultiLineRawValue_eventsStillArriveAsTheirWholeJson() throws Exception {
        ObjectMapper indenting = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try (SseOutput output = new SseOutput("sse-out", handler,
                SseOutput.Options.defaults().withPort(0).withMapper(indenting))) {
            SseSource reader = new SseSource("sse-in", handler, output.streamUri().toString(),
                    SseSource.Options.defaults());
            BlockingQueue<String> data = new LinkedBlockingQueue<>();
            CountDownLatch connected = new CountDownLatch(1);
            reader.on(SseSource.CONNECTED, url -> connected.countDown());
            reader.on(SseSource.MESSAGE, m -> data.add(m.data()));
            reader.start();
            try {
                assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
                awaitClients(output, 1);
                output.send(new Point("a", 1.5));
                output.send(new Raw("{\n  \"a\": 1,\r\n  \"b\": [2,\r3]\n}"));
                String json = data.poll(10, TimeUnit.SECONDS);
                assertThat(json).isNotNull();
                assertThat(plain.readValue(json, Point.class)).isEqualTo(new Point("a", 1.5));
                String raw = data.poll(10, TimeUnit.SECONDS);
                assertThat(raw).isNotNull();
                assertThat(plain.readTree(raw).get("payload").get("b").get(1).asInt()).isEqualTo(3);
            } finally {
                reader.stop();
            }
        }
    }

    private static void awaitClients(SseOutput output, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (output.clients() < n) {
            assertThat(System.nanoTime()).as("a client connected within 10 s").isLessThan(deadline);
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Test
    void eightSendersAndAClose_laterSendsRefusedClearly_closeTwiceIsFine_noThreadLeft() throws Exception {
        SseOutput output = new SseOutput("sse-race", handler, SseOutput.Options.defaults().withPort(0));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch warm = new CountDownLatch(8);
        try {
            List<Future<Throwable>> refusals = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                refusals.add(pool.submit(() -> {
                    for (int n = 0; ; n++) {
                        if (n == 100) {
                            warm.countDown();
                        }
                        try {
                            output.send(new Point("p", n));
                        } catch (RuntimeException e) {
                            warm.countDown();
                            return e;
                        }
                    }
                }));
            }
            assertThat(warm.await(20, TimeUnit.SECONDS)).isTrue();
            output.close();
            output.close();
            for (Future<Throwable> refusal : refusals) {
                assertThat(refusal.get(20, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("closed");
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        ThreadLeaks.assertNoneAlive(name -> name.startsWith("pipeline-sse-race-"), Duration.ofSeconds(10));
    }

    @Test
    void badEventTypesAndOptions_areRefusedNamingThem() throws Exception {
        try (SseOutput output = new SseOutput("sse-bad", handler, SseOutput.Options.defaults().withPort(0))) {
            assertThatThrownBy(() -> output.sender("a\nb")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> output.send("", 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> output.send(null)).hasMessageContaining("value");
        }
        assertThatThrownBy(() -> SseOutput.Options.defaults().withPort(70_000)).hasMessageContaining("70000");
        assertThatThrownBy(() -> SseOutput.Options.defaults().withHeartbeat(Duration.ZERO))
                .hasMessageContaining("heartbeat");
        assertThatThrownBy(() -> SseOutput.Options.defaults().withWriteTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("writeTimeout");
        assertThatThrownBy(() -> SseOutput.Options.defaults().withRetry(Duration.ofSeconds(-1)))
                .hasMessageContaining("retry");
    }
}
