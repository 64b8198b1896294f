package io.pipeline.core.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Flow;
import io.pipeline.core.HealthStatus;
import io.pipeline.core.ListenerException;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.PipelineError;
import io.pipeline.core.Processor;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.TestHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An async listener's stage failed — later, by another thread — with a {@link VirtualMachineError}: an
 * {@link OutOfMemoryError} is fatal (the flow reports it for {@link Flow#HANDLER} and is DOWN, later emits throw it
 * as cause), a {@link StackOverflowError} is an ERROR event like any failure and the flow runs on.
 */
class AsyncStageFatalTest {
    final RecordingErrorReporter reporter = new RecordingErrorReporter();
    final CompletableFuture<Void> stage = new CompletableFuture<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final CountDownLatch errorHeard = new CountDownLatch(1);
    volatile Feed feed;
    Flow flow;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
    }


    Flow start(MessageHandler handler) {
        flow = Flow.builder().handler(handler).errorReporter(reporter)
                .restartPolicy(RestartPolicy.backoff(Duration.ofHours(1), Duration.ofHours(1)))
                .manager(h -> new Manager("staged", h) {
                    {
                        Feed source = new Feed(processorName("source"), h);
                        source.onAsync(Feed.DATA, d -> stage);
                        source.on(Processor.ERROR, e -> {
                            errors.add(e);
                            errorHeard.countDown();
                        });
                        feed = source;
                        setSource(source);
                    }
                }).build();
        flow.start();
        return flow;
    }

    void failStageOnAnotherThread(Throwable failure) throws InterruptedException {
        Thread completer = new Thread(() -> stage.completeExceptionally(failure), "stage-completer");
        completer.start();
        completer.join(10_000);
        assertThat(completer.isAlive()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "async"})
    void stageFailingWithOutOfMemory_isFatal_reportedForTheHandler_andTheFlowIsDown(String type) throws Exception {
        start(TestHandlers.of(type));
        feed.send("x");
        OutOfMemoryError fatal = new OutOfMemoryError("stage ran out");

        failStageOnAnotherThread(fatal);

        assertThat(reporter.await(1)).isTrue();
        assertThat(reporter.errors).singleElement().satisfies(error -> {
            assertThat(error.manager()).isEqualTo(Flow.HANDLER);
            assertThat(error.cause()).isSameAs(fatal);
            assertThat(error.willRestart()).isFalse();
        });
        assertThat(flow.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(flow.health().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(flow.health().details()).contains("stage ran out");
        assertThatThrownBy(() -> feed.send("after")).isInstanceOf(IllegalStateException.class).hasRootCause(fatal);
        assertThat(errors).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "async"})
    void stageFailingWithStackOverflow_isAnErrorEvent_andTheFlowRunsOn(String type) throws Exception {
        start(TestHandlers.of(type));
        feed.send("x");

        failStageOnAnotherThread(new StackOverflowError("deep stage"));

        assertThat(errorHeard.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(errors).singleElement().isInstanceOf(ListenerException.class)
                .extracting(Throwable::getCause).isInstanceOf(StackOverflowError.class);
        assertThat(flow.health().status()).isEqualTo(HealthStatus.UP);
        assertThat(reporter.errors).extracting(PipelineError::manager).isEmpty();
        assertThat(feed.send("again")).isTrue();
    }
}
