package io.pipeline.testing.operating;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.FlowMetrics;
import io.pipeline.core.Health;
import io.pipeline.core.HealthStatus;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerMetrics;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.ProcessorMetrics;
import io.pipeline.core.Source;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.ScriptedHttpEndpoint;
import io.pipeline.testing.VirtualTime;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's "Operating a pipeline" examples, as written there, run against a live pipeline: health, the metrics
 * snapshot, JMX and the stall watchdog (the Micrometer one is {@code FlowMeterBinderTest}'s, the connectors' one
 * {@code ConnectorCountersTest}'s). If the README's code stops compiling or meaning what it says, this fails.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OperatingReadmeExamplesTest {
    private static final Logger log = LoggerFactory.getLogger(OperatingReadmeExamplesTest.class);
    private static final Event<Double> PRICE = Event.of("price", Double.class);

    private final VirtualTime time = VirtualTime.create();
    private final List<String> printed = new ArrayList<>();

    /** The README's manager names: {@code yahoo_apple} with {@code yahoo_apple.source} and {@code .processor}. */
    static final class YahooManager extends Manager {
        YahooManager(MessageHandler handler, RestSource.Options options, String url) {
            super("yahoo_apple", handler);
            var source = new RestSource(processorName("source"), handler, url, options);
            var processor = new Processor(processorName("processor"), handler) {};
            source.on(RestSource.DATA, poll -> {
                JsonNode price = poll.body().path("price");
                if (!price.isNumber()) {
                    throw new IllegalArgumentException("no price in response");
                }
                processor.emit(PRICE, price.asDouble());
            });
            processor.on(PRICE, price -> { });
            setSource(source);
        }
    }

    @Test
    void metricsSnapshot_jmx_andHealth_examples_readALivePipeline() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try (ScriptedHttpEndpoint yahoo = ScriptedHttpEndpoint.start()) {
            yahoo.reply(HttpReply.json("{\"price\":221.17}"), HttpReply.json("{\"price\":221.5}"));
            RestSource.Options options = RestSource.Options.defaults().withRequestInterval(Duration.ofSeconds(30))
                    .withClient(yahoo.client(time)).withClock(time).withScheduler(time);
            try (Flow flow = Flow.builder().name("prices").jmx(true)
                    .handler(new SyncDispatcher())
                    .manager(handler -> new YahooManager(handler, options, yahoo.url("/chart")))
                    .clock(time).scheduler(time)
                    .build()) {
                flow.start();
                time.advance(Duration.ofSeconds(31)); // polls at 0 and 30 s

                // README, "Metrics snapshot":
                FlowMetrics metrics = flow.metrics();
                ManagerMetrics yahooApple = metrics.manager("yahoo_apple").orElseThrow();
                ProcessorMetrics parse = yahooApple.processor("yahoo_apple.processor").orElseThrow();
                printed.add(String.format("emitted=%d failures=%d mean listener time=%s queue=%d%n", parse.emitted(),
                        parse.listenerFailures(), parse.listenerTime().mean(), metrics.dispatcher().queueDepth()));

                assertThat(printed.get(0)).startsWith("emitted=2 failures=0 mean listener time=PT").endsWith(
                        " queue=0\n");
                assertThat(yahooApple.source("yahoo_apple.source").orElseThrow().counter(RestSource.POLLS))
                        .isEqualTo(2);

                // README, "JMX": io.pipeline:type=Flow,name=prices and the manager and processor below it.
                ObjectName flowBean = new ObjectName("io.pipeline:type=Flow,name=prices");
                ObjectName managerBean = new ObjectName("io.pipeline:type=Flow,name=prices,manager=yahoo_apple");
                ObjectName sourceBean = new ObjectName(
                        "io.pipeline:type=Flow,name=prices,manager=yahoo_apple,processor=yahoo_apple.source");
                assertThat(server.getAttribute(flowBean, "Health")).isEqualTo("UP");
                assertThat(server.getAttribute(managerBean, "State")).isEqualTo("RUNNING");
                assertThat(server.getAttribute(sourceBean, "Counter.polls")).isEqualTo(2L);

                // README, "Health": UP, so nothing is logged.
                assertThat(healthExample(flow)).isEqualTo(HealthStatus.UP);
            }
            assertThat(server.queryNames(new ObjectName("io.pipeline:type=Flow,name=prices,*"), null))
                    .as("unregistered on close").isEmpty();
        }
    }

    /** README, "Stall watchdog": a source that says how often it expects data, and is rebuilt when silent. */
    static final class QuoteSource extends Source {
        QuoteSource(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override public Optional<Duration> expectedInterval() { return Optional.of(Duration.ofSeconds(30)); }
        @Override public boolean restartWhenStalled() { return true; } // a silent feed is rebuilt

        @Override
        public CompletableFuture<Void> start() {
            return completion(); // a feed that never delivers
        }
    }

    @Test
    void stallWatchdog_example_silentForThreeIntervals_isDegradedNamingTheSource_andRebuilt() {
        try (Flow flow = Flow.builder().name("quotes")
                .handler(new SyncDispatcher())
                .manager(handler -> new Manager("quotes", handler) {
                    {
                        setSource(new QuoteSource(processorName("source"), handler));
                    }
                })
                .clock(time).scheduler(time)
                .build()) {
            flow.start();

            time.advance(Duration.ofSeconds(89));
            assertThat(healthExample(flow)).isEqualTo(HealthStatus.UP);

            time.advance(Duration.ofSeconds(2)); // 3 × 30 s without data: stalled and failed
            assertThat(healthExample(flow)).isEqualTo(HealthStatus.DEGRADED);
            assertThat(flow.health().details()).contains("quotes.source");
            assertThat(flow.metrics().manager("quotes").orElseThrow().restarts()).isZero();

            time.advance(Duration.ofSeconds(10)); // the restart policy's backoff: its manager is rebuilt
            assertThat(flow.metrics().manager("quotes").orElseThrow().restarts()).isEqualTo(1);
        }
    }

    /** README, "Health" (in "Health" and "Operating a pipeline"), as written there; returns the status judged. */
    private static HealthStatus healthExample(Flow flow) {
        Health health = flow.health();
        if (health.status() != HealthStatus.UP) {
            log.warn("pipeline {}: {}", health.status(), health.details());
        }
        return health.status();
    }
}
