package io.pipeline.testing.stall;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.HealthStatus;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SourceMetrics;
import io.pipeline.core.SourceStalledException;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.RecordingErrorReporter;
import io.pipeline.testing.ScriptedHttpEndpoint;
import io.pipeline.testing.VirtualTime;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stall watchdog over a real {@link RestSource}, in virtual time: an endpoint that answers {@code 304 Not
 * Modified} forever is polled on schedule and never fails, yet no data flows — the source's expected interval (its
 * request interval) makes the flow DEGRADED naming it, and its counters say why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestSourceStallTest {
    private static final Duration INTERVAL = Duration.ofSeconds(10);

    private final VirtualTime time = VirtualTime.create();
    private final RecordingErrorReporter reports = new RecordingErrorReporter();
    private final ScriptedHttpEndpoint endpoint = ScriptedHttpEndpoint.start();
    private Flow flow;

    static final class PollingManager extends Manager {
        PollingManager(MessageHandler handler, RestSource.Options options, String url) {
            super("sensor", handler);
            setSource(new RestSource(processorName("source"), handler, url, options));
        }
    }

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
        endpoint.close();
    }

    private Flow start(boolean restartWhenStalled) {
        endpoint.otherwise(n -> HttpReply.notModified());
        RestSource.Options options = RestSource.Options.defaults()
                .withRequestInterval(INTERVAL)
                .withRestartWhenStalled(restartWhenStalled)
                .withClient(endpoint.client(time))
                .withClock(time)
                .withScheduler(time);
        flow = Flow.builder()
                .name("plant")
                .handler(new SyncDispatcher())
                .manager(handler -> new PollingManager(handler, options, endpoint.url("/reading")))
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                        .withRandomFactor(0))
                .errorReporter(reports)
                .clock(time)
                .scheduler(time)
                .build();
        flow.start();
        return flow;
    }

    private SourceMetrics source() {
        return flow.metrics().manager("sensor").orElseThrow().source("sensor.source").orElseThrow();
    }

    @Test
    void notModifiedForever_degradesHealth_namingTheSource() {
        start(false);

        time.advance(Duration.ofSeconds(25));
        assertThat(flow.health().status()).as("within 3 intervals").isEqualTo(HealthStatus.UP);
        assertThat(source().expectedInterval()).contains(INTERVAL);
        assertThat(source().counter(RestSource.POLLS)).isEqualTo(3); // at 0, 10 and 20 s
        assertThat(source().counter(RestSource.NOT_MODIFIED)).isEqualTo(3);

        time.advance(Duration.ofSeconds(10));

        assertThat(flow.health().status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(flow.health().details()).contains("source 'sensor.source' of manager 'sensor' stalled");
        SourceMetrics source = source();
        assertThat(source.stalled()).isTrue();
        assertThat(source.counter(RestSource.POLLS)).isEqualTo(4);
        assertThat(source.counter(RestSource.NOT_MODIFIED)).isEqualTo(4);
        assertThat(source.counter(RestSource.SUCCESSES)).isZero();
        assertThat(source.counter(RestSource.FAILURES)).isZero();
        assertThat(reports.causes()).singleElement().isInstanceOf(SourceStalledException.class);
        assertThat(flow.status("sensor").orElseThrow().restarts()).as("only reported").isZero();
        assertThat(endpoint.requestCount()).isEqualTo(4);
    }

    @Test
    void notModifiedForever_withRestartWhenStalled_restartsTheManager_andCountsCarryOver() {
        start(true);

        time.advance(Duration.ofSeconds(35)); // stalled at 31 s (checked every second), rebuilt 1 s later

        assertThat(flow.status("sensor").orElseThrow().restarts()).isEqualTo(1);
        assertThat(reports.causes()).first().isInstanceOf(SourceStalledException.class);
        // polls at 0, 10, 20, 30 s, then the rebuilt source's first poll at once (32 s)
        assertThat(source().counter(RestSource.POLLS)).isEqualTo(5);
        assertThat(source().counter(RestSource.NOT_MODIFIED)).isEqualTo(5);
        assertThat(flow.health().status()).as("the fresh source is not stalled yet").isEqualTo(HealthStatus.UP);
    }
}
