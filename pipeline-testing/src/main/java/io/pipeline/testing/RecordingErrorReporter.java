package io.pipeline.testing;

import io.pipeline.core.ErrorReporter;
import io.pipeline.core.PipelineError;
import java.time.Duration;
import java.util.List;

/**
 * An {@link ErrorReporter} that keeps every {@link PipelineError} a {@code Flow} reports, for assertions:
 *
 * <pre>{@code
 * RecordingErrorReporter errors = new RecordingErrorReporter();
 * Flow flow = Flow.builder().manager(MyManager::new).errorReporter(errors).build();
 * ...
 * assertThat(errors.await(1, Duration.ofSeconds(10))).singleElement().satisfies(e -> assertThat(e.willRestart()).isTrue());
 * }</pre>
 *
 * <p>This class is thread-safe: the flow reports on its supervisor thread while the test reads.
 */
public final class RecordingErrorReporter implements ErrorReporter {
    private final Recording<PipelineError> recording = new Recording<>("error report(s)");

    /** Creates an empty reporter. */
    public RecordingErrorReporter() {
    }

    /** Keeps {@code error}. Called by the flow. */
    @Override
    public void report(PipelineError error) {
        recording.add(error);
    }

    /**
     * Waits until at least {@code count} errors are reported, then returns the first {@code count}.
     *
     * @throws AssertionError naming what was reported if fewer arrived within {@code timeout}
     */
    public List<PipelineError> await(int count, Duration timeout) throws InterruptedException {
        return recording.await(count, timeout);
    }

    /**
     * Waits for a final report (the flow gave up on a manager) and returns it.
     *
     * @throws AssertionError naming what was reported if none arrived within {@code timeout}
     */
    public PipelineError awaitFinal(Duration timeout) throws InterruptedException {
        return recording.awaitMatch(PipelineError::isFinal, timeout, "final");
    }

    /** Every report so far, in order: an immutable snapshot. */
    public List<PipelineError> errors() {
        return recording.values();
    }

    /** The causes of every report so far, in order. */
    public List<Throwable> causes() {
        return recording.values().stream().map(PipelineError::cause).toList();
    }

    /** How many reports arrived. */
    public int count() {
        return recording.size();
    }

    /** Forgets every report so far. */
    public void clear() {
        recording.clear();
    }

    @Override
    public String toString() {
        return "RecordingErrorReporter" + recording;
    }
}
