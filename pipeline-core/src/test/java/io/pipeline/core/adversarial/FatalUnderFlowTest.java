package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Flow;
import io.pipeline.core.HealthStatus;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerState;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Fatal errors in listeners, seen from the flow. */
class FatalUnderFlowTest {
    private final RecordingErrorReporter reporter = new RecordingErrorReporter();

    @Test
    void syncListenerOutOfMemory_reachesTheEmitter_andTheFlowGoesDown() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        AtomicReference<ManualSource> source = new AtomicReference<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).errorReporter(reporter).clock(clock)
                .scheduler(scheduler)
                .manager(handler -> new Manager("m", handler) {
                    {
                        ManualSource s = new ManualSource(processorName("s"), handler);
                        s.on(ManualSource.DATA, data -> {
                            throw new OutOfMemoryError("listener");
                        });
                        source.set(s);
                        setSource(s);
                    }
                }).build();
        flow.start();
        assertThatThrownBy(() -> source.get().send("x")).isInstanceOf(OutOfMemoryError.class);
        scheduler.runReady();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(flow.status("m").orElseThrow().state()).isEqualTo(ManagerState.FAILED);
        assertThat(flow.isTerminated()).isTrue();
        assertThat(reporter.errors).last().satisfies(e -> {
            assertThat(e.manager()).isEqualTo(Flow.HANDLER);
            assertThat(e.cause()).isInstanceOf(OutOfMemoryError.class);
        });
        assertThatThrownBy(() -> source.get().send("y")).isInstanceOf(IllegalStateException.class);
        flow.close();
    }

    @Test
    void asyncListenerOutOfMemory_duringTheCloseDrain_closeStillFinishes() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<ManualSource> source = new AtomicReference<>();
        AtomicBoolean resourceClosed = new AtomicBoolean();
        Flow flow = Flow.builder()
                .handler(AsyncDispatcher.builder().capacity(16).threadName("adv-fatal-loop").build())
                .restartPolicy(RestartPolicy.never()).errorReporter(reporter)
                .manager(handler -> new Manager("m", handler) {
                    {
                        ManualSource s = new ManualSource(processorName("s"), handler);
                        closeOnStop(() -> resourceClosed.set(true));
                        s.on(ManualSource.DATA, data -> {
                            if (data.equals("stall")) {
                                first.countDown();
                                release.await(10, TimeUnit.SECONDS);
                            } else if (data.equals("boom")) {
                                throw new OutOfMemoryError("while draining");
                            }
                        });
                        source.set(s);
                        setSource(s);
                    }
                }).build();
        flow.start();
        source.get().send("stall");
        assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
        source.get().send("boom");
        source.get().send("after");
        Thread closer = new Thread(flow::close, "adv-fatal-closer");
        closer.setDaemon(true);
        closer.start();
        Threads.awaitBlockedOrDone(closer);
        release.countDown();
        Threads.awaitEnd(closer);
        assertThat(resourceClosed.get()).isTrue();
        assertThat(flow.handler().isClosed()).isTrue();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(Threads.alive("adv-fatal-loop")).isEmpty();
        assertThat(flow.awaitTermination(Duration.ZERO)).isTrue();
    }
}
