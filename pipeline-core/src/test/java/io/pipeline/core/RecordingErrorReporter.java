package io.pipeline.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Keeps every report, and lets a test wait for them; the one copy for pipeline-core's tests. Thread-safe. */
public final class RecordingErrorReporter implements ErrorReporter {
    public final List<PipelineError> errors = new CopyOnWriteArrayList<>();
    private final Semaphore reported = new Semaphore(0);

    @Override
    public void report(PipelineError error) {
        errors.add(error);
        reported.release();
    }

    /** Waits for {@code count} more reports than already awaited. */
    public boolean await(int count) throws InterruptedException {
        return reported.tryAcquire(count, 10, TimeUnit.SECONDS);
    }
}
