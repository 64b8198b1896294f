package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A manager with several sources feeding one chain. */
class ManagerFanInTest {
    static final Event<String> READING = Event.of("reading", String.class);

    final SyncDispatcher handler = new SyncDispatcher();
    Flow flow;

    @AfterEach
    void closeFlow() {
        if (flow != null) {
            flow.close();
        }
    }

    /** One source per location, all feeding one collector. */
    static final class Locations extends Manager {
        final List<FlowTest.TestSource> sources = new CopyOnWriteArrayList<>();
        final List<String> heard = new CopyOnWriteArrayList<>();

        Locations(MessageHandler handler, String... locations) {
            super("weather", handler);
            for (String location : locations) {
                FlowTest.TestSource source = new FlowTest.TestSource(processorName(location), handler);
                source.on(READING, heard::add);
                sources.add(source);
                if (sources.size() == 1) {
                    setSource(source);
                } else {
                    addSource(source);
                }
            }
        }
    }

    @Test
    void start_startsEverySource_andSourceIsTheFirst() {
        Locations manager = new Locations(handler, "paris", "oslo", "lima");

        manager.start();

        assertThat(manager.sources).allSatisfy(s -> assertThat(s.starts).hasValue(1));
        assertThat(manager.source()).isSameAs(manager.sources.get(0));
        assertThat(manager.sources()).containsExactlyElementsOf(manager.sources);
        manager.sources.forEach(s -> s.emit(READING, s.name()));
        assertThat(manager.heard).containsExactly("weather.paris", "weather.oslo", "weather.lima");
    }

    @Test
    void manager_runsWhileAnySourceRuns_andCompletesWhenAllFinished() {
        Locations manager = new Locations(handler, "paris", "oslo");
        CompletableFuture<Void> done = manager.start();

        manager.sources.get(0).finish();
        assertThat(done).isNotDone();
        assertThat(manager.isDone()).isFalse();

        manager.sources.get(1).finish();
        assertThat(done).isCompleted();
    }

    @Test
    void oneSourceFailing_failsTheManager_andTheFlowStopsEverySource() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        RecordingErrorReporter reporter = new RecordingErrorReporter();
        List<Locations> built = new CopyOnWriteArrayList<>();
        flow = Flow.builder().handler(handler).clock(clock).scheduler(scheduler).errorReporter(reporter)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .manager(h -> {
                    Locations manager = new Locations(h, "paris", "oslo", "lima");
                    built.add(manager);
                    return manager;
                }).build();
        flow.start();
        Locations first = built.get(0);

        first.sources.get(1).failWith(new IllegalStateException("oslo unreachable"));
        scheduler.runReady();

        assertThat(reporter.errors).singleElement().satisfies(e -> {
            assertThat(e.manager()).isEqualTo("weather");
            assertThat(e.cause()).hasMessage("oslo unreachable");
        });
        assertThat(first.sources).allSatisfy(s -> assertThat(s.isStopped()).isTrue());
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(built).hasSize(2);
        assertThat(built.get(1).sources).allSatisfy(s -> assertThat(s.starts).hasValue(1));
    }

    @Test
    void uncaughtErrorOfAnAddedSource_isOwnedByItsManager() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        RecordingErrorReporter reporter = new RecordingErrorReporter();
        Source[] foreign = new Source[1];
        flow = Flow.builder().handler(handler).clock(clock).scheduler(scheduler).errorReporter(reporter)
                .manager(h -> new Manager("m", h) {
                    {
                        setSource(new FlowTest.TestSource(processorName("main"), h));
                        foreign[0] = new FlowTest.TestSource("shared-feed", h); // not from processorName
                        addSource(foreign[0]);
                    }
                }).build();
        flow.start();

        foreign[0].emit(Processor.ERROR, new IllegalStateException("feed broke"));
        scheduler.runReady();

        assertThat(reporter.errors).singleElement().extracting(PipelineError::manager).isEqualTo("m");
    }

    @Test
    void stop_stopsEverySource_andClosesResourcesOnce() {
        Locations manager = new Locations(handler, "paris", "oslo");
        manager.start();

        manager.stop();
        manager.stop();

        assertThat(manager.sources).allSatisfy(s -> assertThat(s.isStopped()).isTrue());
        assertThat(manager.isDone()).isTrue();
    }

    @Test
    void addSource_sameSourceTwice_orAfterStart_throws() {
        assertThatThrownBy(() -> new Manager("dup", handler) {
            {
                FlowTest.TestSource source = new FlowTest.TestSource(processorName("s"), handler);
                setSource(source);
                addSource(source);
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("dup.s");

        Manager[] late = new Manager[1];
        late[0] = new Manager("late", handler) {
            {
                setSource(new FlowTest.TestSource(processorName("s"), handler));
            }

            @Override
            public CompletableFuture<Void> start() {
                CompletableFuture<Void> done = super.start();
                addSource(new FlowTest.TestSource(processorName("t"), handler));
                return done;
            }
        };
        assertThatThrownBy(late[0]::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("started");
    }
}
