package io.pipeline.core.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.EventMetrics;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.ProcessorMetrics;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.TestHandlers;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A listener's failure is its processor's ERROR event, emitted on its behalf, and counted like one: an ERROR nobody
 * listens to is "counted as a dead event and reported" (Processor.ERROR) — the same whether the processor emitted it
 * itself or a listener of it threw.
 */
class ErrorEventMetricsTest {
    final RecordingErrorReporter reporter = new RecordingErrorReporter();
    final List<Feed> feeds = new CopyOnWriteArrayList<>();
    Flow flow;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
    }

    Flow start(MessageHandler handler, boolean listenToErrors) {
        flow = Flow.builder().handler(handler).errorReporter(reporter).restartPolicy(RestartPolicy.never())
                .manager(h -> new Manager("m", h) {
                    {
                        Feed feed = new Feed(processorName("feed"), h);
                        feed.on(Feed.DATA, d -> {
                            throw new IllegalArgumentException("bad " + d);
                        });
                        if (listenToErrors) {
                            feed.on(Processor.ERROR, e -> { });
                        }
                        feeds.add(feed);
                        setSource(feed);
                    }
                }).build();
        flow.start();
        return flow;
    }


    EventMetrics errorEvent() {
        ProcessorMetrics feed = flow.metrics().manager("m").orElseThrow().processor("m.feed").orElseThrow();
        return feed.event("error").orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "async"})
    void listenerFailure_withoutErrorListener_isAnEmittedDeadErrorEvent(String type) throws Exception {
        MessageHandler handler = TestHandlers.of(type);
        start(handler, false);

        feeds.get(0).send("x");
        assertThat(reporter.await(1)).isTrue(); // the uncaught error failed the manager

        assertThat(errorEvent().emitted()).isEqualTo(1);
        assertThat(errorEvent().deadEvents()).isEqualTo(1);
        assertThat(errorEvent().delivered()).isZero();
        ProcessorMetrics feed = flow.metrics().manager("m").orElseThrow().processor("m.feed").orElseThrow();
        assertThat(feed.listenerFailures()).isEqualTo(1);
        assertThat(handler.deadEvents()).isEqualTo(1);
        assertThat(flow.metrics().dispatcher().deadEvents()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "async"})
    void listenerFailure_withAnErrorListener_isAnEmittedDeliveredErrorEvent(String type) {
        MessageHandler handler = TestHandlers.of(type);
        start(handler, true);

        feeds.get(0).send("x");
        flow.close(); // delivers everything accepted

        assertThat(errorEvent().emitted()).isEqualTo(1);
        assertThat(errorEvent().delivered()).isEqualTo(1);
        assertThat(errorEvent().deadEvents()).isZero();
        assertThat(handler.deadEvents()).isZero();
    }

}
