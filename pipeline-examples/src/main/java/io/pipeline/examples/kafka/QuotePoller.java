package io.pipeline.examples.kafka;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Flow;
import io.pipeline.core.RestartPolicy;
import io.pipeline.examples.stock.Console;
import io.pipeline.examples.stock.Quote;
import io.pipeline.examples.stock.QuoteServer;
import io.pipeline.kafka.KafkaOutput;
import io.pipeline.sources.RestSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The poller process: one {@link QuotePublisher} per symbol under a {@link Flow}, all writing to one
 * {@link KafkaOutput}; the embedded quote server unless a base URL is given. Creates the topic when it does not
 * exist yet.
 *
 * <p>Lifecycle: RUNNING ({@link #start}) → CLOSED ({@link #close()}): closing stops polling, delivers the
 * responses received, flushes every quote to the broker and ends the poller's threads. This class is
 * thread-safe; {@code close()} is idempotent.
 */
public final class QuotePoller implements AutoCloseable {
    /** What to poll and where to write. {@code baseUrl} null: the embedded quote server. */
    public record Config(String bootstrapServers, String topic, int partitions, List<String> symbols,
                         Duration interval, String baseUrl) {}

    private final QuoteServer server;
    private final AsyncDispatcher handler;
    private final KafkaOutput<Quote> output;
    private final Flow flow;
    private final Console console;
    private final String baseUrl;

    private QuotePoller(Config config, Console console) {
        this.console = console;
        this.server = config.baseUrl() == null ? QuoteServer.start(42, Clock.systemUTC()) : null;
        this.baseUrl = server != null ? server.baseUrl() : config.baseUrl();
        this.handler = new AsyncDispatcher();
        this.output = new KafkaOutput<>("quote-poller.kafka", handler, config.topic(), Quote::symbol,
                KafkaOutput.Options.defaults().withBootstrapServers(config.bootstrapServers())
                        .withMapper(QuoteJson.mapper()));
        output.on(io.pipeline.core.Processor.ERROR, error -> console.error("kafka", error));
        RestSource.Options options = RestSource.Options.defaults()
                .withRequestInterval(config.interval())
                .withExceptionThreshold(5);
        Flow.Builder builder = Flow.builder()
                .handler(handler)
                .errorReporter(console)
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)));
        for (String symbol : config.symbols()) {
            builder.manager(h -> new QuotePublisher(h, symbol, baseUrl, options, output, console));
        }
        this.flow = builder.build();
    }

    /**
     * Creates the topic if need be, then starts polling.
     *
     * @throws IllegalStateException if the broker cannot be reached to check the topic
     */
    public static QuotePoller start(Config config, Console console) {
        ensureTopic(config);
        QuotePoller poller = new QuotePoller(config, console);
        console.info("quote-poller: polling " + String.join(", ", config.symbols()) + " every "
                + io.pipeline.examples.stock.Durations.format(config.interval()) + " from " + poller.baseUrl
                + (poller.server != null ? " (embedded simulated quote server)" : "") + "; writing to topic '"
                + config.topic() + "' on " + config.bootstrapServers() + ". Ctrl-C stops.");
        poller.flow.start();
        return poller;
    }

    private static void ensureTopic(Config config) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000))) {
            Set<String> topics = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            if (!topics.contains(config.topic())) {
                admin.createTopics(List.of(new NewTopic(config.topic(), config.partitions(), (short) 1)))
                        .all().get(15, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic '" + config.topic() + "' on "
                        + config.bootstrapServers() + ": " + e.getCause(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("no broker answered at " + config.bootstrapServers() + " within 15 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topic '" + config.topic() + "'", e);
        }
    }

    /** The flow, for status checks. */
    public Flow flow() {
        return flow;
    }

    /** Quotes the broker acknowledged so far. */
    public long sent() {
        return output.sent();
    }

    /** Stops polling, flushes every quote accepted to the broker, ends every thread. Idempotent. */
    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (AutoCloseable resource : new AutoCloseable[] {flow, output, handler, server}) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                failures.add(e instanceof RuntimeException r ? r : new IllegalStateException(e));
            }
        }
        console.info("quote-poller: stopped; " + output.sent() + " quotes written to the topic");
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }
}
