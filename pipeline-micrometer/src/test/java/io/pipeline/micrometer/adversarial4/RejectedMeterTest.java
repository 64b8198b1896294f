package io.pipeline.micrometer.adversarial4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Overflow;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.Source;
import io.pipeline.micrometer.FlowMeterBinder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code pipeline.messages.rejected} follows {@code DispatcherMetrics.rejected}, apart from what was dropped. */
class RejectedMeterTest {
    static final Event<String> DATA = Event.of("data", String.class);

    static final class Feed extends Source {
        Feed(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            return completion();
        }

        void send(String value) {
            emit(DATA, value);
        }
    }

    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    Feed feed;
    Flow flow;

    @AfterEach
    void close() {
        release.countDown();
        if (flow != null) {
            flow.close();
        }
    }

    @Test
    void failRefusals_areCountedAsRejected_notDropped_andScrapedAsATotal() throws Exception {
        flow = Flow.builder().name("rej").restartPolicy(RestartPolicy.never())
                .handler(AsyncDispatcher.builder().capacity(2).overflow(Overflow.FAIL).build())
                .manager(h -> new Manager("m", h) {
                    {
                        feed = new Feed(processorName("src"), h);
                        feed.on(DATA, d -> {
                            if (d.equals("hold")) {
                                entered.countDown();
                                release.await();
                            }
                        });
                        setSource(feed);
                    }
                }).build();
        flow.start();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new FlowMeterBinder(flow).bindTo(registry);
        feed.send("hold");
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        feed.send("q1");
        feed.send("q2");
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> feed.send("refused")).isInstanceOf(RejectedExecutionException.class);
        }

        assertThat(registry.get("pipeline.messages.rejected").tags("flow", "rej").functionCounter().count())
                .isEqualTo(5);
        assertThat(registry.get("pipeline.messages.dropped").tags("flow", "rej").functionCounter().count())
                .isZero();
        // base unit "messages", as pipeline.messages.dropped: Prometheus appends it to the name
        assertThat(registry.scrape()).contains("pipeline_messages_rejected_total{flow=\"rej\"} 5.0")
                .contains("pipeline_messages_dropped_messages_total{flow=\"rej\"} 0.0");
        release.countDown();
    }
}
