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
