package io.pipeline.core.adversarial;

import io.pipeline.core.ErrorReporter;
import io.pipeline.core.PipelineError;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Keeps every report and lets a test wait for them. Thread-safe. */
final class Recorder implements ErrorReporter {
    final List<PipelineError> errors = new CopyOnWriteArrayList<>();
    private final Semaphore reported = new Semaphore(0);

    @Override
    public void report(PipelineError error) {
        errors.add(error);
        reported.release();
    }

    /** Waits up to 10 s for {@code count} more reports than already awaited. */
    boolean await(int count) throws InterruptedException {
        return reported.tryAcquire(count, 10, TimeUnit.SECONDS);
    }
}
