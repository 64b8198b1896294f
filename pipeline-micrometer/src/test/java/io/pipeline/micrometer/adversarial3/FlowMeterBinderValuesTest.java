package io.pipeline.micrometer.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.ListenerTime;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Overflow;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.Source;
import io.pipeline.micrometer.FlowMeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The meters the Micrometer binding documents that its own test does not read back — the queue figures of an
 * {@link AsyncDispatcher}, the manager's time gauges, the longest listener call and the health gauge — each with
 * the exact value the flow's snapshot gives after a scripted run.
 */
class FlowMeterBinderValuesTest {
    static final Event<String> LINE = Event.of("line", String.class);

    static final class Feed extends Source {
        Feed(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            return completion();
        }

        void send(String line) {
            emit(LINE, line);
        }

        void crash(Throwable failure) {
            fail(failure);
        }
    }

    /** A clock the test sets; read by the flow on its supervisor thread too. */
    static final class SetClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T12:00:00Z"));

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    final SetClock clock = new SetClock();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile Feed feed;
    Flow flow;

    @AfterEach
    void close() {
        release.countDown();
        if (flow != null) {
            flow.close();
        }
    }

    @Test
    void queueTimesListenerMaxAndHealth_readTheFlowsExactValues() throws Exception {
        AsyncDispatcher handler = AsyncDispatcher.builder().capacity(3).overflow(Overflow.DROP_OLDEST).build();
        CountDownLatch reported = new CountDownLatch(1);
        flow = Flow.builder().name("meters3").handler(handler).clock(clock).errorReporter(error -> reported.countDown())
                .restartPolicy(RestartPolicy.backoff(Duration.ofHours(1), Duration.ofHours(2)))
                .manager(h -> new Manager("feed", h) {
                    {
                        Feed source = new Feed(processorName("source"), h);
                        source.on(LINE, line -> {
                            if (line.equals("hold")) {
                                entered.countDown();
                                release.await(10, TimeUnit.SECONDS);
                            }
                        });
                        feed = source;
                        setSource(source);
                    }
                }).build();
        Instant started = clock.instant();
        flow.start();
        MeterRegistry registry = new SimpleMeterRegistry();
        new FlowMeterBinder(flow).bindTo(registry);

        clock.now.set(started.plusSeconds(7));
        feed.send("hold");
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 10; i++) {
            feed.send("line " + i);
        }

        assertThat(registry.get("pipeline.queue.capacity").tags("flow", "meters3").gauge().value()).isEqualTo(3);
        assertThat(registry.get("pipeline.queue.depth").tags("flow", "meters3").gauge().value()).isEqualTo(3);
        assertThat(registry.get("pipeline.queue.high.water").tags("flow", "meters3").gauge().value()).isEqualTo(3);
        assertThat(registry.get("pipeline.messages.dropped").tags("flow", "meters3").functionCounter().count())
                .isEqualTo(7);
        assertThat(registry.get("pipeline.producer.blocked").tags("flow", "meters3").functionTimer().count())
                .isZero();
        assertThat(registry.get("pipeline.manager.last.start").tags("manager", "feed").timeGauge()
                .value(TimeUnit.MILLISECONDS)).isEqualTo(started.toEpochMilli());
        assertThat(registry.get("pipeline.manager.last.message").tags("manager", "feed").timeGauge()
                .value(TimeUnit.MILLISECONDS)).isEqualTo(started.plusSeconds(7).toEpochMilli());
        release.countDown();
        assertThat(feed.emitAsync(LINE, "drained").get(10, TimeUnit.SECONDS)).isTrue(); // the held delivery is over

        clock.now.set(started.plusSeconds(20));
        feed.crash(new IllegalStateException("feed lost"));
        assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue(); // reported after the restart was decided

        assertThat(registry.get("pipeline.flow.health").tags("flow", "meters3", "status", "DEGRADED").gauge().value())
                .isEqualTo(1);
        assertThat(registry.get("pipeline.flow.health").tags("flow", "meters3", "status", "UP").gauge().value())
                .isZero();
        assertThat(registry.get("pipeline.manager.state").tags("manager", "feed", "state", "RESTARTING").gauge()
                .value()).isEqualTo(1);
        assertThat(registry.get("pipeline.manager.last.error").tags("manager", "feed").timeGauge()
                .value(TimeUnit.MILLISECONDS)).isEqualTo(started.plusSeconds(20).toEpochMilli());
        assertThat(registry.get("pipeline.manager.last.start").tags("manager", "feed").timeGauge()
                .value(TimeUnit.MILLISECONDS)).isEqualTo(started.toEpochMilli());
        ListenerTime time = flow.metrics().manager("feed").orElseThrow().processor("feed.source").orElseThrow()
                .event("line").orElseThrow().listenerTime();
        assertThat(time.samples()).isEqualTo(1); // the first delivery, the one held
        assertThat(registry.get("pipeline.listener.time.max").tags("processor", "feed.source", "event", "line")
                .timeGauge().value(TimeUnit.NANOSECONDS)).isPositive()
                .isCloseTo((double) time.maxNanos(), within(1.0)); // through the registry's seconds and back

        flow.close();
        assertThat(registry.get("pipeline.flow.health").tags("flow", "meters3", "status", "DOWN").gauge().value())
                .isEqualTo(1);
    }

    @Test
    void failRefusals_areCountedAsRejected_notDropped_andScrapedAsATotal() throws Exception {
        flow = Flow.builder().name("rej").restartPolicy(RestartPolicy.never())
                .handler(AsyncDispatcher.builder().capacity(2).overflow(Overflow.FAIL).build())
                .manager(h -> new Manager("m", h) {
                    {
                        Feed source = new Feed(processorName("src"), h);
                        source.on(LINE, line -> {
                            if (line.equals("hold")) {
                                entered.countDown();
                                release.await();
                            }
                        });
                        feed = source;
                        setSource(source);
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
        // pipeline.messages.dropped has the base unit "messages", which Prometheus appends to the name
        assertThat(registry.scrape()).contains("pipeline_messages_rejected_total{flow=\"rej\"} 5.0")
                .contains("pipeline_messages_dropped_messages_total{flow=\"rej\"} 0.0");
    }
}
