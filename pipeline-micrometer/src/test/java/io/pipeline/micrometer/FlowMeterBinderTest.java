package io.pipeline.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.Source;
import io.pipeline.core.SourceCounter;
import io.pipeline.core.SyncDispatcher;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlowMeterBinderTest {
    static final Event<String> LINE = Event.of("line", String.class);
    static final Event<Integer> LENGTH = Event.of("length", Integer.class);

    /** A source its test drives: each {@link #poll} counts a poll and emits a line. */
    static final class PollingSource extends Source {
        private final SourceCounter polls = counter("polls");

        PollingSource(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            return completion();
        }

        void poll(String line) {
            polls.increment();
            emit(LINE, line);
        }
    }

    static final class Lengths extends Processor {
        Lengths(String name, MessageHandler handler) {
            super(name, handler);
        }

        void handle(String line) {
            if (line.isEmpty()) {
                throw new IllegalArgumentException("empty line");
            }
            emit(LENGTH, line.length());
        }
    }

    static final class Lines extends Manager {
        final PollingSource source;

        Lines(MessageHandler handler) {
            super("lines", handler);
            source = new PollingSource(processorName("source"), handler);
            Lengths lengths = new Lengths(processorName("lengths"), handler);
            source.on(LINE, lengths::handle);
            source.on(Processor.ERROR, e -> { });
            lengths.on(LENGTH, n -> { });
            setSource(source);
        }
    }

    Flow flow;
    Lines lines;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
    }

    Flow start(String name) {
        flow = Flow.builder().name(name).handler(new SyncDispatcher()).manager(h -> lines = new Lines(h)).build();
        flow.start();
        return flow;
    }

    @Test
    void simpleRegistry_readsEveryFigureLive() {
        start("shop");
        MeterRegistry registry = new SimpleMeterRegistry();
        new FlowMeterBinder(flow).bindTo(registry);

        lines.source.poll("abc");
        lines.source.poll("de");
        lines.source.poll("");

        assertThat(registry.get("pipeline.messages.emitted")
                .tags("flow", "shop", "manager", "lines", "processor", "lines.source", "event", "line")
                .functionCounter().count()).isEqualTo(3);
        assertThat(registry.get("pipeline.messages.delivered")
                .tags("flow", "shop", "manager", "lines", "processor", "lines.lengths", "event", "length")
                .functionCounter().count()).isEqualTo(2);
        assertThat(registry.get("pipeline.listener.failures")
                .tags("processor", "lines.source", "event", "line").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("pipeline.messages.dead").tags("processor", "lines.source", "event", "line")
                .functionCounter().count()).isZero();
        FunctionTimer time = registry.get("pipeline.listener.time").tags("processor", "lines.source", "event", "line")
                .functionTimer();
        assertThat(time.count()).isEqualTo(1); // the first delivery is sampled
        assertThat(time.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(registry.get("pipeline.source.polls").tags("processor", "lines.source").functionCounter().count())
                .isEqualTo(3);
        assertThat(registry.get("pipeline.source.stalled").tags("processor", "lines.source").gauge().value())
                .isZero();
        assertThat(registry.get("pipeline.manager.state").tags("manager", "lines", "state", "RUNNING").gauge()
                .value()).isEqualTo(1);
        assertThat(registry.get("pipeline.manager.state").tags("manager", "lines", "state", "FAILED").gauge()
                .value()).isZero();
        assertThat(registry.get("pipeline.manager.restarts").tags("manager", "lines").functionCounter().count())
                .isZero();
        assertThat(registry.get("pipeline.manager.last.start").tags("manager", "lines").timeGauge()
                .value(TimeUnit.MILLISECONDS)).isPositive();
        assertThat(registry.get("pipeline.flow.health").tags("flow", "shop", "status", "UP").gauge().value())
                .isEqualTo(1);
        assertThat(registry.get("pipeline.queue.depth").tags("flow", "shop").gauge().value()).isZero();
        assertThat(registry.get("pipeline.messages.dropped").tags("flow", "shop").functionCounter().count()).isZero();
        assertThat(registry.get("pipeline.messages.rejected").tags("flow", "shop").functionCounter().count())
                .isZero();
    }

    @Test
    void prometheusScrape_namesAndTagsFollowTheConventions() {
        start("scraped");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new FlowMeterBinder(flow).bindTo(registry);
        lines.source.poll("hello");

        String text = registry.scrape();

        assertThat(text).contains("pipeline_messages_emitted_total{event=\"line\",flow=\"scraped\","
                + "manager=\"lines\",processor=\"lines.source\"} 1.0");
        assertThat(text).contains("pipeline_messages_delivered_total{event=\"length\",flow=\"scraped\","
                + "manager=\"lines\",processor=\"lines.lengths\"} 1.0");
        assertThat(text).contains("pipeline_source_polls_total{flow=\"scraped\",manager=\"lines\","
                + "processor=\"lines.source\"} 1.0");
        assertThat(text).contains("pipeline_listener_time_seconds_count{event=\"line\",flow=\"scraped\"");
        assertThat(text).contains("pipeline_manager_state{flow=\"scraped\",manager=\"lines\",state=\"RUNNING\"} 1.0");
        assertThat(text).contains("pipeline_flow_health{flow=\"scraped\",status=\"UP\"} 1.0");
        assertThat(text).contains("pipeline_queue_depth_messages{flow=\"scraped\"} 0.0");
        assertThat(text).contains("pipeline_manager_restarts_total{flow=\"scraped\",manager=\"lines\"} 0.0");
    }

    @Test
    void bindTo_again_addsMetersOfEventsThatAppearedSince() {
        start("rebind");
        MeterRegistry registry = new SimpleMeterRegistry();
        new FlowMeterBinder(flow).bindTo(registry);
        Event<String> later = Event.of("later", String.class);
        lines.source.emit(later, "nobody hears this");
        assertThat(registry.find("pipeline.messages.dead").tags("event", "later").functionCounter()).isNull();

        new FlowMeterBinder(flow).bindTo(registry);

        assertThat(registry.get("pipeline.messages.dead").tags("event", "later").functionCounter().count())
                .isEqualTo(1);
        assertThat(registry.find("pipeline.messages.emitted").tags("event", "line").functionCounters()).hasSize(1);
    }
}
