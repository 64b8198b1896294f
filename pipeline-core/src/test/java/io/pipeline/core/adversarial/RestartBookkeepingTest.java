package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.PipelineError;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Backoff growth and reset across failures of managers and of their factories, in virtual time. */
class RestartBookkeepingTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RecordingErrorReporter reporter = new RecordingErrorReporter();
    private final List<ManualSource> built = new CopyOnWriteArrayList<>();
    private final AtomicBoolean factoryBroken = new AtomicBoolean();

    private Flow flow() {
        return Flow.builder().handler(new SyncDispatcher())
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(8)).withRandomFactor(0))
                .errorReporter(reporter).clock(clock).scheduler(scheduler)
                .manager(handler -> {
                    if (factoryBroken.get()) {
                        throw new IllegalStateException("factory broken");
                    }
                    return new Manager("m", handler) {
                        {
                            ManualSource s = new ManualSource(processorName("s"), handler);
                            built.add(s);
                            setSource(s);
                        }
                    };
                }).build();
    }

    @Test
    void factoryFailingAfterALongHealthyRun_growsTheBackoff_aFailedBuildIsNoHealthyRun() {
        Flow flow = flow();
        flow.start();
        scheduler.advance(Duration.ofMinutes(1)); // a long healthy run
        factoryBroken.set(true);
        built.get(0).failWith(new IllegalStateException("after a healthy minute"));
        scheduler.runReady();
        for (int i = 0; i < 5; i++) {
            scheduler.advance(scheduler.nextDelay());
        }
        assertThat(reporter.errors).extracting(PipelineError::restartDelay).containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(8), Duration.ofSeconds(8));
        flow.close();
    }

    @Test
    void failuresInARow_growTheBackoff_andAHealthyRunResetsIt() {
        Flow flow = flow();
        flow.start();
        for (int i = 0; i < 4; i++) {
            built.get(i).failWith(new IllegalStateException("quick " + i));
            scheduler.runReady();
            scheduler.advance(scheduler.nextDelay());
        }
        scheduler.advance(Duration.ofSeconds(8)); // healthy for resetAfter (= max)
        built.get(4).failWith(new IllegalStateException("after a healthy run"));
        scheduler.runReady();
        assertThat(reporter.errors).extracting(PipelineError::restartDelay).containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(1));
        flow.close();
    }
}
