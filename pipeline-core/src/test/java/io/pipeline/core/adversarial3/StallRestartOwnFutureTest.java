package io.pipeline.core.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.PipelineError;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.Source;
import io.pipeline.core.SourceStalledException;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code restartWhenStalled()} for a source whose {@code start()} returns a future of its own rather than
 * {@code completion()} — the Source javadoc only says "typically" — still fails the source, so that its manager is
 * rebuilt.
 */
class StallRestartOwnFutureTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final RecordingErrorReporter reporter = new RecordingErrorReporter();
    final List<OwnFuture> built = new CopyOnWriteArrayList<>();
    Flow flow;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
    }

    static final class OwnFuture extends Source {
        final CompletableFuture<Void> own = new CompletableFuture<>();

        OwnFuture(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            return own;
        }

        @Override
        public void stop() {
            super.stop();
            own.complete(null);
        }

        @Override
        public Optional<Duration> expectedInterval() {
            return Optional.of(Duration.ofSeconds(10));
        }

        @Override
        public boolean restartWhenStalled() {
            return true;
        }
    }

    @Test
    void stalledSourceWithItsOwnFuture_isFailed_andItsManagerRebuilt() {
        flow = Flow.builder().handler(new SyncDispatcher()).clock(clock).scheduler(scheduler).errorReporter(reporter)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)).withRandomFactor(0))
                .manager(handler -> new Manager("own", handler) {
                    {
                        OwnFuture source = new OwnFuture(processorName("source"), handler);
                        built.add(source);
                        setSource(source);
                    }
                }).build();
        flow.start();

        scheduler.advance(Duration.ofSeconds(31));

        assertThat(reporter.errors).singleElement().satisfies(error -> {
            assertThat(error.willRestart()).isTrue();
            assertThat(error.cause()).isInstanceOf(SourceStalledException.class);
        });
        assertThat(built.get(0).own).isCompletedExceptionally();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(built).hasSize(2);
        assertThat(reporter.errors).extracting(PipelineError::manager).containsExactly("own");
    }
}
