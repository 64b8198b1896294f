package io.pipeline.examples.analytics;

import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.operators.AlertRule;
import io.pipeline.operators.Operators;
import io.pipeline.operators.Rolling;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.output.JsonLinesOutput;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Polls one location's current temperature and writes, as JSON lines, the rolling mean of the last hour, z-score
 * anomalies against the last 24 readings, and a heat alert with hysteresis.
 */
public final class SensorManager extends Manager {

    public SensorManager(MessageHandler handler, String location, String url, Duration interval, Path out) {
        this(handler, location, url, interval, out, 5);
    }

    /** With the source failing after {@code failures} failed polls in a row (so that the flow restarts it). */
    public SensorManager(MessageHandler handler, String location, String url, Duration interval, Path out,
            int failures) {
        super("sensor-" + location, handler);
        var source = new RestSource(processorName("source"), handler, url,
                RestSource.Options.defaults().withRequestInterval(interval).withExceptionThreshold(failures));
        var lines = closeOnStop(new JsonLinesOutput<Line>(processorName("out"), handler, out));
        var ops = closeOnStop(Operators.in(handler, this::processorName)); // after the output: closed before it

        var readings = ops.from(source, RestSource.DATA)
                .named("parse").map(poll -> Reading.from(location, poll))
                // Open-Meteo repeats the same current.time for 15 minutes; the poller sees it every interval
                .named("dedup").dedup(Reading::time, Duration.ofMinutes(20));
        readings.named("mean").stats(Reading.TEMPERATURE, Rolling.time(Duration.ofHours(1)))
                .to(stats -> lines.write(new Line("stats", stats)));
        readings.named("anomalies").anomalies(Reading.TEMPERATURE, 24)
                .to(anomaly -> lines.write(new Line("anomaly", anomaly)));
        readings.named("heat").alert(Reading.TEMPERATURE, AlertRule.above("heat", 30).withHysteresis(2))
                .to(alert -> lines.write(new Line("alert", alert)));
        ops.onErrors(error -> System.err.println("sensor-" + location + ": " + error.getMessage()));
        setSource(source);
    }
}
