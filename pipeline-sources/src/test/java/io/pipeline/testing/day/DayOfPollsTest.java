package io.pipeline.testing.day;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.PipelineError;
import io.pipeline.core.Processor;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.output.CsvOutput;
import io.pipeline.sources.output.OutputOptions;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.RecordingErrorReporter;
import io.pipeline.testing.ScriptedHttpEndpoint;
import io.pipeline.testing.VirtualTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole day of a polling pipeline in virtual time: 10-second polls against a flaky endpoint, with the failures
 * the source rides out and the ones that restart its manager, and every row written. Everything timed — the
 * source's schedule, the flow's restart backoff — runs on one {@link VirtualTime}, so the day takes seconds.
 */
class DayOfPollsTest {
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration DAY = Duration.ofHours(24);
    private static final Duration BACKOFF = Duration.ofSeconds(1);

    /** Every 100th request is an HTTP 500: a failed poll the source recovers from (threshold 3 in a row). */
    private static boolean serverError(int request) {
        return request % 100 == 0;
    }

    /** Every 1000th request, offset by 550, answers without a reading: the parser fails and the manager restarts. */
    private static boolean noReading(int request) {
        return request % 1000 == 550;
    }

    record Reading(long request, double value) {}

    static final class Parse extends Processor {
        static final Event<Reading> READING = Event.of("reading", Reading.class);

        Parse(String name, MessageHandler handler) {
            super(name, handler);
        }

        void handle(RestSource.Poll poll) {
            JsonNode value = poll.body().path("value");
            if (!value.isNumber()) {
                throw new IllegalArgumentException("no reading in response");
            }
            emit(READING, new Reading(poll.body().path("request").asLong(), value.asDouble()));
        }
    }

    static final class SensorManager extends Manager {
        SensorManager(MessageHandler handler, String url, VirtualTime time, ScriptedHttpEndpoint endpoint, Path out) {
            super("sensor", handler);
            var source = new RestSource(processorName("source"), handler, url, RestSource.Options.defaults()
                    .withRequestInterval(INTERVAL)
                    .withExceptionThreshold(3)
                    .withClient(endpoint.client(time))
                    .withClock(time)
                    .withScheduler(time));
            var parse = new Parse(processorName("parse"), handler);
            // the output's group commit runs on virtual time too: no hand-off to a writer thread per row
            var rows = closeOnStop(new CsvOutput<>(processorName("rows"), handler, out, Reading.class,
                    OutputOptions.defaults().withScheduler(time)));
            source.on(RestSource.DATA, parse::handle);
            parse.on(Parse.READING, rows::write);
            setSource(source);
        }
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aDayOfTenSecondPolls_againstAFlakyEndpoint_runsInVirtualTime_withExactPollsRestartsAndRows() throws Exception {
        VirtualTime time = VirtualTime.create();
        RecordingErrorReporter reports = new RecordingErrorReporter();
        Path out = dir.resolve("readings.csv");
        long wallStart = System.nanoTime();
        try (ScriptedHttpEndpoint endpoint = ScriptedHttpEndpoint.start()) {
            endpoint.otherwise(n -> serverError(n) ? HttpReply.status(500)
                    : noReading(n) ? HttpReply.json("{\"request\":" + n + "}")
                    : HttpReply.json("{\"request\":" + n + ",\"value\":" + (n % 7) + "}"));
            try (Flow flow = Flow.builder()
                    .handler(new SyncDispatcher())
                    .manager(handler -> new SensorManager(handler, endpoint.url("/current"), time, endpoint, out))
                    .restartPolicy(RestartPolicy.backoff(BACKOFF, BACKOFF).withRandomFactor(0))
                    .errorReporter(reports)
                    .clock(time)
                    .scheduler(time)
                    .build()) {
                flow.start();
                time.advance(DAY);

                Expected expected = Expected.forDay();
                assertThat(endpoint.requestCount()).as("polls in 24 h").isEqualTo(expected.polls);
                assertThat(reports.errors()).as("restarts").hasSize(expected.restarts)
                        .allSatisfy(error -> assertThat(error.willRestart()).isTrue())
                        .extracting(PipelineError::restartDelay).containsOnly(BACKOFF);
                assertThat(reports.causes()).allSatisfy(cause -> assertThat(cause)
                        .hasRootCauseMessage("no reading in response"));
                assertThat(flow.status("sensor").orElseThrow().restarts()).isEqualTo(expected.restarts);
                assertThat(flow.health().status()).isEqualTo(io.pipeline.core.HealthStatus.UP);

                flow.close();
                List<String> lines = Files.readAllLines(out);
                assertThat(lines.get(0)).isEqualTo("request,value");
                assertThat(lines).as("header and one row per good poll").hasSize(1 + expected.rows);
                assertThat(lines.get(lines.size() - 1)).startsWith(expected.lastGoodRequest + ",");
            }
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - wallStart);
        System.out.println("DayOfPollsTest: 24 h of polls took " + wall.toMillis() + " ms of wall time");
    }

    /**
     * What the day must give, from the endpoint's rules: a poll every interval; a request without a reading fails
     * the manager, which the flow rebuilds after {@link #BACKOFF}, and the new source polls at once.
     */
    private record Expected(int polls, int restarts, int rows, int lastGoodRequest) {
        static Expected forDay() {
            long day = DAY.toSeconds();
            long at = 0;
            int polls = 0;
            int restarts = 0;
            int rows = 0;
            int lastGood = 0;
            for (int request = 1; at <= day; request++) {
                polls++;
                if (noReading(request)) {
                    restarts++;
                    at += BACKOFF.toSeconds();
                } else {
                    if (!serverError(request)) {
                        rows++;
                        lastGood = request;
                    }
                    at += INTERVAL.toSeconds();
                }
            }
            return new Expected(polls, restarts, rows, lastGood);
        }
    }
}
