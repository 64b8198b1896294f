package io.pipeline.core.adversarial4;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.EventMetrics;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.core.TestHandlers;
import io.pipeline.core.adversarial3.Feed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exact {@code Flow.metrics()} counts for every delivery kind mixed on one event — two plain listeners (one of
 * which throws now and then), a {@code once}, an {@code onAsync} listener, {@code emitAsync} beside {@code emit}, a
 * chain of emits nested past the async loop's inline bound — and the same script under both dispatchers: "delivered
 * — one per listener —", and listener time sampled on "the first delivery and every 1024th".
 */
class MixedDeliveryCountsTest {
    static final Event<Integer> HOP = Event.of("hop", Integer.class);
    /** Deeper than AsyncDispatcher.MAX_INLINE_DEPTH (32): the tail of every chain goes to the loop's lane. */
    static final int HOPS = 40;

    final List<Feed> feeds = new CopyOnWriteArrayList<>();
    final AtomicInteger hops = new AtomicInteger();
    final AtomicInteger asyncCalls = new AtomicInteger();
    Flow flow;

    @AfterEach
    void close() {
        if (flow != null) {
            flow.close();
        }
    }


    /** m.src's data: plain (re-emits a chain on m.relay), plain (throws on "bad…"), once, async; errors heard. */
    void startMixed(MessageHandler handler) {
        flow = Flow.builder().handler(handler).restartPolicy(RestartPolicy.never())
                .manager(h -> new Manager("m", h) {
                    {
                        Feed src = new Feed(processorName("src"), h);
                        Processor relay = new Processor(processorName("relay"), h) { };
                        src.on(Feed.DATA, d -> relay.emit(HOP, 1));
                        src.on(Feed.DATA, d -> {
                            if (d.startsWith("bad")) {
                                throw new IllegalArgumentException(d);
                            }
                        });
                        src.once(Feed.DATA, d -> { });
                        src.onAsync(Feed.DATA, d -> {
                            asyncCalls.incrementAndGet();
                            return CompletableFuture.completedFuture(null);
                        });
                        src.on(Processor.ERROR, e -> { });
                        relay.on(HOP, n -> {
                            hops.incrementAndGet();
                            if (n < HOPS) {
                                relay.emit(HOP, n + 1);
                            }
                        });
                        feeds.add(src);
                        setSource(src);
                    }
                }).build();
        flow.start();
    }

    EventMetrics event(String processor, String event) {
        return flow.metrics().manager("m").orElseThrow().processor(processor).orElseThrow().event(event)
                .orElseThrow();
    }

    /** Samples of a run of {@code deliveries} counted in one sequence: the 1st, the 1025th, the 2049th … */
    static long samplesOf(long deliveries) {
        return deliveries == 0 ? 0 : (deliveries - 1) / 1024 + 1;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "async"})
    void mixedDeliveryKinds_countExactly_andTheSameUnderBothDispatchers(String type) throws Exception {
        startMixed(TestHandlers.of(type));
        int plainEmits = 1000;
        int asyncEmits = 100;
        int bad = 0;
        List<CompletableFuture<Boolean>> futures = new ArrayList<>();
        Feed src = feeds.get(0);
        for (int i = 0; i < plainEmits; i++) {
            String value = i % 97 == 0 ? "bad" + i : "w" + i;
            bad += value.startsWith("bad") ? 1 : 0;
            assertThat(src.send(value)).isTrue();
        }
        for (int i = 0; i < asyncEmits; i++) {
            futures.add(src.emitAsync(Feed.DATA, "a" + i));
        }
        for (CompletableFuture<Boolean> future : futures) {
            assertThat(future.get(10, TimeUnit.SECONDS)).isTrue();
        }
        flow.close(); // delivers everything accepted

        int messages = plainEmits + asyncEmits;
        long dataDeliveries = 3L * messages + 1; // two plain and the async listener each time, the once listener once
        EventMetrics data = event("m.src", "data");
        assertThat(asyncCalls).hasValue(messages);
        assertThat(hops).hasValue(HOPS * messages);
        assertThat(data.emitted()).isEqualTo(messages);
        assertThat(data.delivered()).isEqualTo(dataDeliveries);
        assertThat(data.listenerFailures()).isEqualTo(bad);
        assertThat(data.deadEvents()).isZero();
        EventMetrics errors = event("m.src", "error");
        assertThat(errors.emitted()).isEqualTo(bad);
        assertThat(errors.delivered()).isEqualTo(bad);
        EventMetrics hop = event("m.relay", "hop");
        assertThat(hop.emitted()).isEqualTo((long) HOPS * messages);
        assertThat(hop.delivered()).isEqualTo((long) HOPS * messages);
        // One sequence over all of data's deliveries, whichever listener kind: 1, 1025, 2049 (a plain listener's) and
        // 3073 (the async listener's, message 1024).
        assertThat(data.listenerTime().samples()).isEqualTo(samplesOf(dataDeliveries)).isEqualTo(4);
        // hop has one plain listener: under a SyncDispatcher it is called directly, timed on its first delivery only
        long hopSamples = type.equals("sync") ? 1 : samplesOf((long) HOPS * messages);
        assertThat(hop.listenerTime().samples()).isEqualTo(hopSamples);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "async"})
    void asyncListener_firstDelivery_isTimed(String type) throws Exception {
        flow = Flow.builder().handler(TestHandlers.of(type)).restartPolicy(RestartPolicy.never())
                .manager(h -> new Manager("m", h) {
                    {
                        Feed src = new Feed(processorName("src"), h);
                        src.onAsync(Feed.DATA, d -> CompletableFuture.completedFuture(null));
                        feeds.add(src);
                        setSource(src);
                    }
                }).build();
        flow.start();

        feeds.get(0).send("x");
        flow.close();

        // ListenerTime: "For an AsyncListener only the call that returns its stage is timed, not the stage."
        EventMetrics data = event("m.src", "data");
        assertThat(data.delivered()).isEqualTo(1);
        assertThat(data.listenerTime().samples()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "async"})
    void managerRestartedMidStream_processorsOfTheSameNameShareCounters(String type) throws Exception {
        java.util.concurrent.CountDownLatch built = new java.util.concurrent.CountDownLatch(2);
        flow = Flow.builder().handler(TestHandlers.of(type))
                .restartPolicy(RestartPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(1)).withRandomFactor(0))
                .errorReporter(new io.pipeline.core.RecordingErrorReporter())
                .manager(h -> new Manager("m", h) {
                    {
                        Feed src = new Feed(processorName("src"), h);
                        Processor relay = new Processor(processorName("relay"), h) { };
                        src.on(Feed.DATA, d -> relay.emit(HOP, 1));
                        relay.on(HOP, n -> hops.incrementAndGet());
                        feeds.add(src);
                        built.countDown();
                        setSource(src);
                    }
                }).build();
        flow.start();
        int each = 1500;
        Feed first = feeds.get(0);
        assertThat(first.started.await(10, TimeUnit.SECONDS)).isTrue();
        Thread before = new Thread(() -> {
            for (int i = 0; i < each; i++) {
                first.send("before" + i);
            }
        }, "emitter-before-restart"); // owns the emit counters, and ends
        before.start();
        before.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(before.isAlive()).isFalse();
        first.crash(new java.io.IOException("connection lost"));

        assertThat(built.await(10, TimeUnit.SECONDS)).isTrue(); // the supervisor rebuilds the manager after 1 ms
        Feed second = feeds.get(1);
        assertThat(second.started.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < each; i++) {
            second.send("after" + i); // another thread than the counters' owner
        }
        flow.close();

        assertThat(hops).hasValue(2 * each);
        EventMetrics data = event("m.src", "data");
        EventMetrics hop = event("m.relay", "hop");
        assertThat(data.emitted()).isEqualTo(2 * each);
        assertThat(data.delivered()).isEqualTo(2 * each);
        assertThat(hop.emitted()).isEqualTo(2 * each);
        assertThat(hop.delivered()).isEqualTo(2 * each);
        if (type.equals("async")) {
            // every delivery on the one loop thread, in one sequence over both managers: 1, 1025, 2049
            assertThat(data.listenerTime().samples()).isEqualTo(samplesOf(2 * each));
            assertThat(hop.listenerTime().samples()).isEqualTo(samplesOf(2 * each));
        }
    }
}
