package io.pipeline.testing.quickstart;

import static io.pipeline.core.ManagerState.RESTARTING;
import static io.pipeline.core.ManagerState.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.ManagerState;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.PipelineError;
import io.pipeline.core.Processor;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.output.CsvOutput;
import io.pipeline.testing.EventRecorder;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.RecordingErrorReporter;
import io.pipeline.testing.ScriptedHttpEndpoint;
import io.pipeline.testing.ScriptedSource;
import io.pipeline.testing.StatusRecorder;
import io.pipeline.testing.VirtualTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick-start pipeline, tested with the kit alone, as "Testing your pipelines" shows it. The classes
 * are the quick start's, except that the manager takes the server's URL, the source's options and the file.
 */
class QuickStartPipelineTest {
    // ---- the quick start ---------------------------------------------------------------------------------------

    static final class YahooRestSource extends RestSource {
        YahooRestSource(String name, MessageHandler handler, String baseUrl, String symbol, Options options) {
            super(name, handler, baseUrl + "/v8/finance/chart/" + symbol + "?interval=1m&range=1d", options
                    .withExceptionThreshold(10)
                    .withRequestInterval(Duration.ofSeconds(30)));
        }
    }

    static final class HandleRawData extends Processor {
        static final Event<Quote> PRICE = Event.of("price", Quote.class);

        HandleRawData(String name, MessageHandler handler) {
            super(name, handler);
        }

        void handle(RestSource.Poll poll) {
            JsonNode meta = poll.body().path("chart").path("result").path(0).path("meta");
            if (!meta.path("regularMarketPrice").isNumber()) {
                throw new IllegalArgumentException("no price in response");
            }
            emit(PRICE, new Quote(poll.time(), meta.path("symbol").asText(),
                    meta.path("regularMarketPrice").asDouble()));
        }
    }

    record Quote(Instant time, String symbol, double price) {}

    static final class YahooManager extends Manager {
        YahooManager(MessageHandler handler, String baseUrl, RestSource.Options options, Path file) {
            super("yahoo_apple", handler);
            var source = new YahooRestSource(processorName("source"), handler, baseUrl, "AAPL", options);
            var processor = new HandleRawData(processorName("processor"), handler);
            var writer = closeOnStop(new CsvOutput<>(processorName("writer"), handler, file, Quote.class));

            source.on(RestSource.DATA, processor::handle);
            processor.on(HandleRawData.PRICE, writer::write);
            setSource(source);
        }
    }

    // ---- the test, as in the README ----------------------------------------------------------------------------

    @Test
    void quotesAreWritten_andBadResponsesRestartTheManager(@TempDir Path dir) throws Exception {
        VirtualTime time = VirtualTime.create();
        RecordingErrorReporter errors = new RecordingErrorReporter();
        Path csv = dir.resolve("yahoo_aapl.csv");
        try (ScriptedHttpEndpoint yahoo = ScriptedHttpEndpoint.start()) {
            yahoo.reply(
                    HttpReply.json(chart("AAPL", 221.17)),
                    HttpReply.status(500),                             // a failed poll: recovered, counted, no restart
                    HttpReply.json("{\"chart\":{\"result\":[{}]}}"),   // no price: the processor's ERROR, a restart
                    HttpReply.json(chart("AAPL", 221.50)));
            RestSource.Options options = RestSource.Options.defaults()
                    .withClient(yahoo.client(time)).withClock(time).withScheduler(time);
            try (Flow flow = Flow.builder()
                    .handler(new SyncDispatcher())
                    .manager(handler -> new YahooManager(handler, yahoo.url(""), options, csv))
                    .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1))
                            .withRandomFactor(0))
                    .errorReporter(errors)
                    .clock(time)
                    .scheduler(time)
                    .build()) {
                StatusRecorder<ManagerState> state = StatusRecorder.managerState(flow, "yahoo_apple", time);
                flow.start();
                state.sampleOn(time);

                time.advance(Duration.ofSeconds(70)); // polls at 0, 30 and 60 s, a restart 1 s later and its first poll

                assertThat(errors.errors()).extracting(PipelineError::restarts).containsExactly(0);
                assertThat(errors.errors()).extracting(PipelineError::restartDelay)
                        .containsExactly(Duration.ofSeconds(1));
                assertThat(errors.causes().get(0)).hasRootCauseMessage("no price in response");
                assertThat(state.values()).containsExactly(RUNNING, RESTARTING, RUNNING);
                assertThat(yahoo.requestCount()).isEqualTo(4);
            }
            // Closing the flow closes the writer, which writes every row it was handed first.
            assertThat(Files.readAllLines(csv)).hasSize(3).first().isEqualTo("time,symbol,price");
            assertThat(Files.readAllLines(csv).subList(1, 3)).extracting(line -> line.substring(line.indexOf(',')))
                    .containsExactly(",AAPL,221.17", ",AAPL,221.5");
        }
    }

    @Test
    void theProcessorAlone_withARecorder() {
        try (SyncDispatcher handler = new SyncDispatcher()) {
            HandleRawData processor = new HandleRawData("processor", handler);
            EventRecorder<Quote> prices = EventRecorder.of(processor, HandleRawData.PRICE);
            var source = new ScriptedSource<>("source", handler, RestSource.DATA, List.of(
                    poll(chart("AAPL", 1.5)), poll("{}"), poll(chart("AAPL", 2.5))));
            // A listener's failure is an ERROR of the processor that emitted the event: here, the source.
            EventRecorder<Throwable> failures = EventRecorder.of(source, Processor.ERROR);
            source.on(RestSource.DATA, processor::handle);
            source.start();

            source.emitAll();

            assertThat(prices.values()).extracting(Quote::price).containsExactly(1.5, 2.5);
            assertThat(failures.values()).singleElement()
                    .satisfies(failure -> assertThat(failure).hasRootCauseMessage("no price in response"));
        }
    }

    static String chart(String symbol, double price) {
        return "{\"chart\":{\"result\":[{\"meta\":{\"symbol\":\"" + symbol + "\",\"regularMarketPrice\":" + price
                + "}}],\"error\":null}}";
    }

    static RestSource.Poll poll(String json) {
        try {
            return new RestSource.Poll(VirtualTime.DEFAULT_START, 200,
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(json), okhttp3.Headers.of());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
