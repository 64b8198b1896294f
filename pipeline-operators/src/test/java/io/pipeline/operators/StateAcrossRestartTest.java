package io.pipeline.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.RetainedState;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.operators.Readings.Reading;
import io.pipeline.testing.RecordingErrorReporter;
import io.pipeline.testing.ScriptedSource;
import io.pipeline.testing.VirtualTime;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real Flow restarting a manager whose source failed; operators keep their state across it. */
class StateAcrossRestartTest {
    final VirtualTime time = VirtualTime.startingAt(Instant.parse("2026-03-01T00:00:00Z"));
    final List<SensorManager> built = new CopyOnWriteArrayList<>();
    final List<Anomaly> anomalies = new CopyOnWriteArrayList<>();
    /** The operators' clock and scheduler in the staleness cases, apart from the flow's {@link #time}. */
    final VirtualTime operatorTime = VirtualTime.startingAt(Instant.parse("2026-03-01T00:00:00Z"));
    final List<SilenceManager> silences = new CopyOnWriteArrayList<>();
    final List<Alert> alerts = new CopyOnWriteArrayList<>();
    final RecordingErrorReporter reports = new RecordingErrorReporter();
    Flow flow;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
    }

    /** What each build of the manager reads: the first, readings 1..36 of a calm sensor; the second, a spike. */
    static final List<List<Reading>> SCRIPTS = List.of(
            IntStream.rangeClosed(1, 36).mapToObj(i -> Reading.at("s1", i * 60L, 20 + 0.1 * Math.sin(i))).toList(),
            List.of(Reading.at("s1", 37 * 60L, 30)));

    final class SensorManager extends Manager {
        final ScriptedSource<Reading> source;

        SensorManager(MessageHandler handler, OperatorOptions options, List<Reading> script) {
            super("sensors", handler);
            source = new ScriptedSource<>(processorName("source"), handler, Readings.READING, script);
            Operators ops = closeOnStop(Operators.in(handler, this::processorName, options));
            ops.from(source, Readings.READING).named("spikes").anomalies(Readings.SERIES, 10).to(anomalies::add);
            setSource(source);
        }
    }

    /**
     * A staleness alert per sensor, 5 minutes. Between building the step and subscribing its listener, the
     * operators' scheduler runs whatever is due — as its thread may when the building thread is descheduled on a
     * loaded machine.
     */
    final class SilenceManager extends Manager {
        final ScriptedSource<Reading> source;

        SilenceManager(MessageHandler handler, List<Reading> script) {
            super("sensors", handler);
            source = new ScriptedSource<>(processorName("source"), handler, Readings.READING, script);
            Operators ops = closeOnStop(Operators.in(handler, this::processorName,
                    OperatorOptions.defaults().withClock(operatorTime).withScheduler(operatorTime)));
            Chain<Alert> silence = ops.from(source, Readings.READING).named("silence")
                    .stale(Reading::sensor, Duration.ofMinutes(5));
            operatorTime.runUntilIdle();
            silence.to(alerts::add);
            setSource(source);
        }
    }

    /** A flow of {@link SilenceManager}s: the first build reads one value of s1, the next ones read nothing. */
    private void startSilenceFlow() {
        flow = Flow.builder()
                .handler(new SyncDispatcher())
                .clock(time)
                .scheduler(time)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).withRandomFactor(0))
                .errorReporter(reports)
                .manager(handler -> {
                    SilenceManager manager = new SilenceManager(handler,
                            silences.isEmpty() ? List.of(Reading.at("s1", 0, 20)) : List.of());
                    silences.add(manager);
                    return manager;
                })
                .build();
        flow.start();
        time.runUntilIdle();
    }

    @Test
    void staleness_keyAlreadyDueWhenTheManagerIsRebuilt_staleOnceToTheRebuiltManagersListener() {
        startSilenceFlow();
        Instant seen = operatorTime.instant();
        assertThat(silences.get(0).source.emitAll()).isEqualTo(1);
        silences.get(0).source.crash(new IOException("connection reset"));
        time.runUntilIdle();
        operatorTime.advance(Duration.ofMinutes(6)); // s1 is overdue; its timer went with the stopped manager

        time.advance(Duration.ofSeconds(1));
        assertThat(silences).hasSize(2);
        operatorTime.runUntilIdle();

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.key()).isEqualTo("s1");
            assertThat(alert.state()).isEqualTo(AlertState.STALE);
            assertThat(alert.since()).isEqualTo(seen);
            assertThat(alert.time()).isEqualTo(seen.plus(Duration.ofMinutes(6)));
        });
        assertThat(flow.handler().deadEvents()).as("no alert emitted to nobody").isZero();
        operatorTime.advance(Duration.ofHours(1));
        assertThat(alerts).as("stale once").hasSize(1);
    }

    /** One-minute tumbling windows closing on the clock; wired like {@link SilenceManager}, scheduler ahead. */
    final class MinutesManager extends Manager {
        final ScriptedSource<Reading> source;

        MinutesManager(MessageHandler handler, List<Reading> script, List<Pane<Reading>> panes) {
            super("minutes", handler);
            source = new ScriptedSource<>(processorName("source"), handler, Readings.READING, script);
            Operators ops = closeOnStop(Operators.in(handler, this::processorName,
                    OperatorOptions.defaults().withClock(operatorTime).withScheduler(operatorTime)));
            Chain<Pane<Reading>> minutes = ops.from(source, Readings.READING).named("minutes")
                    .window(WindowSpec.timeTumbling(Duration.ofMinutes(1)).withClockGrace(Duration.ZERO),
                            Reading::sensor, Reading::time);
            operatorTime.runUntilIdle();
            minutes.to(panes::add);
            setSource(source);
        }
    }

    @Test
    void window_dueWhenTheManagerIsRebuilt_closesIntoTheRebuiltManagersListener() {
        List<Pane<Reading>> panes = new CopyOnWriteArrayList<>();
        List<MinutesManager> builds = new CopyOnWriteArrayList<>();
        flow = Flow.builder()
                .handler(new SyncDispatcher())
                .clock(time)
                .scheduler(time)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).withRandomFactor(0))
                .errorReporter(reports)
                .manager(handler -> {
                    MinutesManager manager = new MinutesManager(handler,
                            builds.isEmpty() ? List.of(Reading.at("s1", 10, 20)) : List.of(), panes);
                    builds.add(manager);
                    return manager;
                })
                .build();
        flow.start();
        time.runUntilIdle();
        builds.get(0).source.emitAll();
        builds.get(0).source.crash(new IOException("connection reset"));
        time.runUntilIdle(); // the stop flushes the open window early; the state stays for the successor
        operatorTime.advance(Duration.ofMinutes(2)); // the window's end has passed; its timer went with the stop

        time.advance(Duration.ofSeconds(1));
        assertThat(builds).hasSize(2);
        operatorTime.runUntilIdle();

        assertThat(panes).extracting(Pane::early).containsExactly(true, false);
        assertThat(panes.get(1).start()).isEqualTo(Readings.T0);
        assertThat(panes.get(1).items()).extracting(Reading::value).containsExactly(20.0);
    }

    private void startFlow(OperatorOptions options) {
        flow = Flow.builder()
                .handler(new SyncDispatcher())
                .clock(time)
                .scheduler(time)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).withRandomFactor(0))
                .errorReporter(reports)
                .manager(handler -> {
                    SensorManager manager =
                            new SensorManager(handler, options.withClock(time), SCRIPTS.get(built.size()));
                    built.add(manager);
                    return manager;
                })
                .build();
        flow.start();
        time.runUntilIdle();
    }

    /** Readings 1..36 of a calm sensor, the source failing after 36, the flow restarting the manager. */
    private void readThirtySixThenRestart() {
        SensorManager first = built.get(0);
        assertThat(first.source.emitAll()).isEqualTo(36);
        first.source.crash(new IOException("connection reset after reading 36"));
        time.runUntilIdle();
        time.advance(Duration.ofSeconds(1));
        assertThat(built).hasSize(2);
        assertThat(reports.errors()).singleElement().satisfies(e -> assertThat(e.willRestart()).isTrue());
    }

    @Test
    void zScore_managerRestartedAfterReading36_spikeAtReading37StillDetected() {
        startFlow(OperatorOptions.defaults());
        readThirtySixThenRestart();

        built.get(1).source.emitAll();

        assertThat(anomalies).singleElement().satisfies(a -> {
            assertThat(a.key()).isEqualTo("s1");
            assertThat(a.value()).isEqualTo(30);
            assertThat(a.time()).isEqualTo(Readings.T0.plusSeconds(37 * 60L));
            assertThat(a.score()).isGreaterThan(3);
        });
        assertThat(flow.status().get(0).restarts()).isEqualTo(1);
    }

    @Test
    void zScore_freshState_restartForgetsTheWindow_spikeAtReading37Unseen() {
        startFlow(OperatorOptions.defaults().withFreshState());
        readThirtySixThenRestart();

        built.get(1).source.emitAll();

        assertThat(anomalies).isEmpty();
        assertThat(RetainedState.of(flow.handler()).contains("sensors.spikes")).isFalse();
    }
}
