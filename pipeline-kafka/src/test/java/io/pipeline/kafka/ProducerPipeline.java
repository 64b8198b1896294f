package io.pipeline.kafka;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.Source;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The producing side of the multi-process tests, as a pipeline: a source counting from {@code from} on
 * whose numbers a {@link KafkaOutput} writes to the topic keyed {@code k<n % keys>}. {@link #run} returns once the
 * flow closed, that is once the output flushed every record.
 */
final class ProducerPipeline {
    private ProducerPipeline() {}

    static final class Counter extends Source {
        static final Event<Integer> NUMBER = Event.of("number", Integer.class);
        private final int from;
        private final int count;

        Counter(String name, MessageHandler handler, int from, int count) {
            super(name, handler);
            this.from = from;
            this.count = count;
        }

        @Override
        public CompletableFuture<Void> start() {
            CompletableFuture.runAsync(() -> {
                try {
                    CompletableFuture<Boolean> last = CompletableFuture.completedFuture(true);
                    for (int i = from; i < from + count && !isStopped(); i++) {
                        last = emitAsync(NUMBER, i);
                    }
                    last.join();
                    complete();
                } catch (RuntimeException e) {
                    fail(e);
                }
            });
            return completion();
        }
    }

    static final class Producing extends Manager {
        Producing(MessageHandler handler, String servers, String topic, int from, int count, int keys) {
            super("producer", handler);
            Counter counter = new Counter(processorName("counter"), handler, from, count);
            KafkaOutput<Integer> output = closeOnStop(new KafkaOutput<>(processorName("output"), handler, topic,
                    n -> "k" + (n % keys), KafkaOutput.Options.defaults().withBootstrapServers(servers)));
            counter.on(Counter.NUMBER, output::write);
            setSource(counter);
        }

        @Override
        public boolean shouldRestart() {
            return false;
        }
    }

    static void run(String servers, String topic, int count, int keys) {
        run(servers, topic, 0, count, keys);
    }

    /** Writes the numbers {@code from} to {@code from + count - 1}. */
    static void run(String servers, String topic, int from, int count, int keys) {
        try (Flow flow = Flow.builder()
                .handler(new AsyncDispatcher())
                .manager(handler -> new Producing(handler, servers, topic, from, count, keys))
                .restartPolicy(RestartPolicy.never())
                .build()) {
            flow.start();
            if (!flow.awaitTermination(Duration.ofSeconds(60))) {
                throw new AssertionError("the producer pipeline did not finish within 60 s");
            }
            if (flow.status().stream().anyMatch(io.pipeline.core.ManagerStatus::isFailed)) {
                throw new AssertionError("the producer pipeline failed: " + flow.status());
            }
        }
    }
}
