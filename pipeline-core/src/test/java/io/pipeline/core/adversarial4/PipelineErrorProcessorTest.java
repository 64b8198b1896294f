package io.pipeline.core.adversarial4;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.FlowLogRecorder;
import io.pipeline.core.Manager;
import io.pipeline.core.ManualClock;
import io.pipeline.core.ManualScheduler;
import io.pipeline.core.PipelineError;
import io.pipeline.core.Processor;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SourceStalledException;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.core.adversarial3.Feed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PipelineError#processor()} names "the source whose future failed, the processor whose listener threw (the
 * ListenerException) or whose uncaught error event this is"; the default reporter's line starts with it.
 */
class PipelineErrorProcessorTest {
    final RecordingErrorReporter reporter = new RecordingErrorReporter();
    final List<Feed> feeds = new CopyOnWriteArrayList<>();
    final List<Processor> parsers = new CopyOnWriteArrayList<>();
    final FlowLogRecorder log = new FlowLogRecorder();
    final List<LogRecord> records = log.records();
    Flow flow;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
        log.close();
    }

    /** Manager "m": sources m.a and m.b (fan-in), and a processor m.parser listening to m.a's data. */
    Flow.Builder twoSources() {
        return twoSources(null);
    }

    /** As {@link #twoSources()}, m.b expecting data every {@code bInterval} (null: none). */
    Flow.Builder twoSources(Duration bInterval) {
        return Flow.builder().name("f").handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                .manager(h -> new Manager("m", h) {
                    {
                        Feed a = new Feed(processorName("a"), h);
                        Feed b = new Feed(processorName("b"), h, bInterval);
                        Processor parser = new Processor(processorName("parser"), h) { };
                        a.on(Feed.DATA, d -> parser.emit(Processor.ERROR, new IllegalStateException("bad " + d)));
                        feeds.add(a);
                        feeds.add(b);
                        parsers.add(parser);
                        setSource(a);
                        addSource(b);
                    }
                });
    }

    @Test
    void uncaughtErrorEvent_ofAProcessorOfARunningManager_namesThatProcessor() throws Exception {
        flow = twoSources().errorReporter(reporter).build();
        flow.start();

        feeds.get(0).send("x"); // m.parser emits an ERROR nobody hears: uncaught, it fails m

        assertThat(reporter.await(1)).isTrue();
        PipelineError error = reporter.errors.get(0);
        assertThat(error.manager()).isEqualTo("m");
        assertThat(error.cause()).hasMessage("bad x");
        assertThat(error.processor()).isEqualTo("m.parser");
    }

    @Test
    void uncaughtErrorEvent_ofASource_namesTheSource() throws Exception {
        flow = twoSources().errorReporter(reporter).build();
        flow.start();

        feeds.get(1).sendError(new IllegalStateException("feed b lost"));

        assertThat(reporter.await(1)).isTrue();
        assertThat(reporter.errors.get(0).cause()).hasMessage("feed b lost");
        assertThat(reporter.errors.get(0).processor()).isEqualTo("m.b");
    }

    @Test
    void defaultReporter_uncaughtErrorEvent_lineNamesTheProcessor() throws Exception {
        log.attach();
        ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        flow = twoSources().clock(clock).scheduler(scheduler).build();
        flow.start();
        scheduler.runReady();

        feeds.get(0).send("y");
        scheduler.runReady(); // the supervisor: the manager's end, then the report

        assertThat(records).extracting(LogRecord::getMessage)
                .anySatisfy(message -> assertThat(message)
                        .startsWith("[flow=f manager=m processor=m.parser] Manager 'm' failed"));
    }

    @Test
    void fanIn_secondSourceFails_namesTheSecondSource() throws Exception {
        flow = twoSources().errorReporter(reporter).build();
        flow.start();

        feeds.get(1).crash(new java.io.IOException("b down"));

        assertThat(reporter.await(1)).isTrue();
        assertThat(reporter.errors.get(0).cause()).hasMessage("b down");
        assertThat(reporter.errors.get(0).processor()).isEqualTo("m.b");
    }

    @Test
    void factoryThatThrows_namesNoProcessor() throws Exception {
        flow = Flow.builder().name("f").handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                .errorReporter(reporter).manager(h -> {
                    throw new IllegalStateException("no config");
                }).build();
        flow.start();

        assertThat(reporter.await(1)).isTrue();
        assertThat(reporter.errors.get(0).cause()).hasMessage("no config");
        assertThat(reporter.errors.get(0).processor()).isNull();
    }

    @Test
    void fanIn_stalledSecondSource_restartedForIt_namesTheStalledSource() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        flow = twoSources(Duration.ofSeconds(10)).clock(clock).scheduler(scheduler).restartStalledSources(true)
                .errorReporter(reporter).build();
        flow.start();

        scheduler.advance(Duration.ofSeconds(31));

        assertThat(reporter.errors).singleElement().satisfies(error -> {
            assertThat(error.cause()).isInstanceOf(SourceStalledException.class);
            assertThat(error.processor()).isEqualTo("m.b");
        });
    }

    @Test
    void fanIn_stalledSecondSource_reported_namesTheStalledSource() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        flow = twoSources(Duration.ofSeconds(10)).clock(clock).scheduler(scheduler).errorReporter(reporter).build();
        flow.start();

        scheduler.advance(Duration.ofSeconds(31));

        assertThat(reporter.errors).singleElement().satisfies(error -> {
            assertThat(error.willRestart()).isFalse();
            assertThat(error.processor()).isEqualTo("m.b");
        });
    }

    @Test
    void sourcesThatFinishNormally_areNotReported() throws Exception {
        flow = twoSources().errorReporter(reporter).build();
        flow.start();

        feeds.get(1).finish();
        feeds.get(0).finish();

        assertThat(flow.awaitTermination(Duration.ofSeconds(10))).isTrue(); // after the manager's final report, if any
        assertThat(reporter.errors).isEmpty();
    }
}
