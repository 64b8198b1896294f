package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SmokeTest {
    static final Event<Integer> NUMBER = Event.of("number", Integer.class);

    static final class Emitter extends Processor {
        Emitter(String name, MessageHandler handler) {
            super(name, handler);
        }
    }

    @Test
    void asyncDeliversInOrder() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        try (AsyncDispatcher dispatcher = new AsyncDispatcher()) {
            Emitter e = new Emitter("e", dispatcher);
            e.on(NUMBER, seen::add);
            for (int i = 0; i < 10_000; i++) {
                e.emit(NUMBER, i);
            }
        }
        assertThat(seen).hasSize(10_000);
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.get(i)).isEqualTo(i);
        }
    }

    @Test
    void flowRestartsFailingManager() throws Exception {
        CountDownLatch reports = new CountDownLatch(3);
        List<PipelineError> errors = new CopyOnWriteArrayList<>();
        final class Failing extends Source {
            Failing(String n, MessageHandler h) {
                super(n, h);
            }

            @Override
            public CompletableFuture<Void> start() {
                return CompletableFuture.failedFuture(new IllegalStateException("boom"));
            }
        }
        final class M extends Manager {
            M(MessageHandler h) {
                super("m", h);
                setSource(new Failing(processorName("source"), h));
            }
        }
        try (Flow flow = Flow.builder().handler(new SyncDispatcher()).manager(M::new)
                .restartPolicy(RestartPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(5)).withMaxRestarts(2, Duration.ofMinutes(1)))
                .errorReporter(e -> { errors.add(e); reports.countDown(); }).build()) {
            flow.start();
            assertThat(reports.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(flow.awaitTermination(Duration.ofSeconds(5))).isTrue();
            assertThat(errors).extracting(PipelineError::willRestart).containsExactly(true, true, false);
            assertThat(flow.status().get(0).state()).isEqualTo(ManagerState.FAILED);
            assertThat(flow.status().get(0).restarts()).isEqualTo(2);
        }
    }
}
