package io.pipeline.testing.operating;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.Source;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.SseSource;
import io.pipeline.sources.WebSocketSource;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.ScriptedHttpEndpoint;
import io.pipeline.testing.ScriptedSseServer;
import io.pipeline.testing.ScriptedWebSocketPeer;
import io.pipeline.testing.VirtualTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The connectors log their failures with the flow, manager and source in SLF4J's MDC ({@code pipeline.flow},
 * {@code pipeline.manager}, {@code pipeline.processor}), for the duration of the call: captured log events carry
 * them, an {@code ERROR} listener running in that call sees them, and the thread's own MDC is restored afterwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectorLogContextTest {
    private static final Map<String, String> CONTEXT = Map.of("pipeline.flow", "plant", "pipeline.manager", "sensor",
            "pipeline.processor", "sensor.source");

    private final VirtualTime time = VirtualTime.create();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<Map<String, String>> seenByListener = new CopyOnWriteArrayList<>();
    private Logger logger;
    private Flow flow;

    static final class SensorManager extends Manager {
        SensorManager(MessageHandler handler, BiFunction<String, MessageHandler, Source> source,
                      List<Map<String, String>> seen) {
            super("sensor", handler);
            Source built = source.apply(processorName("source"), handler);
            built.on(Processor.ERROR, error -> seen.add(mdc()));
            setSource(built);
        }
    }

    private static Map<String, String> mdc() {
        Map<String, String> all = MDC.getCopyOfContextMap();
        return all == null ? Map.of() : Map.copyOf(all);
    }

    private void capture(Class<?> type) {
        logger = (Logger) LoggerFactory.getLogger(type);
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
        if (logger != null) {
            logger.detachAppender(appender);
        }
        MDC.clear();
    }

    private void start(BiFunction<String, MessageHandler, Source> source) {
        flow = Flow.builder()
                .name("plant")
                .handler(new SyncDispatcher())
                .manager(handler -> new SensorManager(handler, source, seenByListener))
                .clock(time)
                .scheduler(time)
                .build();
        flow.start();
    }

    @Test
    void restSource_failedPoll_logsWithFlowManagerAndSourceInTheMdc_thenRestoresTheThreadsMdc() {
        capture(RestSource.class);
        try (ScriptedHttpEndpoint endpoint = ScriptedHttpEndpoint.start()) {
            endpoint.otherwise(n -> HttpReply.status(500));
            MDC.put("pipeline.flow", "outer"); // the advancing thread runs the poll: its own value comes back
            start((name, handler) -> new RestSource(name, handler, endpoint.url("/q"), RestSource.Options.defaults()
                    .withClient(endpoint.client(time))
                    .withClock(time)
                    .withScheduler(time)));

            time.advance(Duration.ofSeconds(1)); // the first poll, at once

            assertThat(appender.list).singleElement().satisfies(event -> {
                assertThat(event.getFormattedMessage()).contains("RestSource 'sensor.source'", "HTTP 500");
                assertThat(event.getMDCPropertyMap()).containsAllEntriesOf(CONTEXT);
            });
            assertThat(seenByListener).singleElement()
                    .satisfies(seen -> assertThat(seen).containsAllEntriesOf(CONTEXT));
            assertThat(mdc()).containsExactly(Map.entry("pipeline.flow", "outer"));
        }
    }

    @Test
    void sseSource_lostStream_logsWithFlowManagerAndSourceInTheMdc() throws Exception {
        capture(SseSource.class);
        try (ScriptedSseServer server = ScriptedSseServer.start()) {
            server.stream().data("a").drop();
            start((name, handler) -> new SseSource(name, handler, server.url("/events"), SseSource.Options.defaults()
                    .withScheduler(time)
                    .withClock(time)
                    .withRandom(new Random(1))));

            time.awaitPending(1, Duration.ofSeconds(10)); // the reconnect: the loss was handled

            assertThat(appender.list).singleElement().satisfies(event -> {
                assertThat(event.getFormattedMessage()).contains("SseSource 'sensor.source'", "reconnecting");
                assertThat(event.getMDCPropertyMap()).containsAllEntriesOf(CONTEXT);
            });
            assertThat(seenByListener).singleElement()
                    .satisfies(seen -> assertThat(seen).containsAllEntriesOf(CONTEXT));
        }
    }

    @Test
    void webSocketSource_lostConnection_logsOneWarnLineWithFlowManagerAndSourceInTheMdc() throws Exception {
        capture(WebSocketSource.class);
        try (ScriptedWebSocketPeer peer = ScriptedWebSocketPeer.start()) {
            peer.connection().send("{}").close(1001, "going away");
            start((name, handler) -> new WebSocketSource(name, handler, peer.url("/feed"),
                    WebSocketSource.Options.defaults()
                            .withReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                            .withScheduler(time)
                            .withClock(time)
                            .withRandom(new Random(1))));

            time.awaitTaskDueWithin(Duration.ofSeconds(2), Duration.ofSeconds(10)); // the reconnect: loss handled

            assertThat(appender.list).filteredOn(event -> event.getLevel() == Level.WARN).singleElement()
                    .satisfies(event -> {
                        assertThat(event.getFormattedMessage())
                                .contains("WebSocketSource 'sensor.source'", "going away", "reconnecting");
                        assertThat(event.getThrowableProxy()).as("the stack trace only at DEBUG").isNull();
                        assertThat(event.getMDCPropertyMap()).containsAllEntriesOf(CONTEXT);
                    });
            assertThat(seenByListener).singleElement()
                    .satisfies(seen -> assertThat(seen).containsAllEntriesOf(CONTEXT));
        }
    }
}
