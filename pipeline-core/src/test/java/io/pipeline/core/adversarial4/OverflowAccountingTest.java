package io.pipeline.core.adversarial4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.DispatcherMetrics;
import io.pipeline.core.EventMetrics;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.Overflow;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.Waiting;
import io.pipeline.core.adversarial3.Feed;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * With the consumer stalled, what was emitted is exactly what was delivered plus what the overflow policy dropped
 * plus what it rejected (one listener, so one delivery per message): {@code emitted = delivered + dropped +
 * rejected}. A refusal is counted in {@code emitted} ("an emit was made") and in no {@code delivered}; a closed
 * dispatcher's {@link IllegalStateException} is not a rejection.
 */
class OverflowAccountingTest {
    static final int CAPACITY = 4;

    final List<Feed> feeds = new CopyOnWriteArrayList<>();
    final List<String> heard = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    Flow flow;

    @AfterEach
    void close() {
        release.countDown();
        if (flow != null) {
            flow.close();
        }
    }

    /** m.src's data is heard by one listener that holds the loop on "hold" until released. */
    Feed start(Overflow overflow) throws Exception {
        return start(overflow, Flow.builder());
    }

    Feed start(Overflow overflow, Flow.Builder builder) throws Exception {
        AsyncDispatcher handler = AsyncDispatcher.builder().capacity(CAPACITY).overflow(overflow).build();
        flow = builder.handler(handler).restartPolicy(RestartPolicy.never())
                .manager(h -> new Manager("m", h) {
                    {
                        Feed src = new Feed(processorName("src"), h);
                        src.on(Feed.DATA, d -> {
                            heard.add(d);
                            if (d.equals("hold")) {
                                entered.countDown();
                                release.await();
                            }
                        });
                        feeds.add(src);
                        setSource(src);
                    }
                }).build();
        flow.start();
        Feed src = feeds.get(0);
        src.send("hold");
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue(); // the loop is stalled in the listener
        return src;
    }

    EventMetrics data() {
        return flow.metrics().manager("m").orElseThrow().processor("m.src").orElseThrow().event("data").orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(value = Overflow.class, names = {"DROP_OLDEST", "DROP_NEWEST", "FAIL"})
    void stalledConsumer_emittedIsDeliveredPlusDroppedPlusRejected(Overflow overflow) throws Exception {
        Feed src = start(overflow);
        int more = 10;
        int thrown = 0;
        for (int i = 0; i < more; i++) {
            try {
                src.send("m" + i);
            } catch (RejectedExecutionException refused) {
                thrown++;
            }
        }
        release.countDown();
        flow.close(); // delivers everything accepted

        DispatcherMetrics dispatcher = flow.metrics().dispatcher();
        EventMetrics data = data();
        int lost = more - CAPACITY; // the queue holds CAPACITY behind the held message
        assertThat(data.emitted()).isEqualTo(1 + more);
        assertThat(data.delivered()).isEqualTo(heard.size()).isEqualTo(1 + CAPACITY);
        assertThat(data.emitted()).isEqualTo(data.delivered() + dispatcher.dropped() + dispatcher.rejected());
        if (overflow == Overflow.FAIL) {
            assertThat(thrown).isEqualTo(lost);
            assertThat(dispatcher.rejected()).isEqualTo(lost);
            assertThat(dispatcher.dropped()).isZero();
            assertThat(heard).containsExactly("hold", "m0", "m1", "m2", "m3");
        } else {
            assertThat(thrown).isZero();
            assertThat(dispatcher.dropped()).isEqualTo(lost);
            assertThat(dispatcher.rejected()).isZero();
            assertThat(heard).containsExactly("hold", overflow == Overflow.DROP_NEWEST ? "m0" : "m6",
                    overflow == Overflow.DROP_NEWEST ? "m1" : "m7", overflow == Overflow.DROP_NEWEST ? "m2" : "m8",
                    overflow == Overflow.DROP_NEWEST ? "m3" : "m9");
        }
    }

    @Test
    void fail_fromSeveralProducersAtOnce_rejectedIsTheExactTotal() throws Exception {
        Feed src = start(Overflow.FAIL);
        for (int i = 0; i < CAPACITY; i++) {
            src.send("fill" + i);
        }
        int producers = 4;
        int each = 500;
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger thrown = new AtomicInteger();
        List<CompletableFuture<Void>> done = new CopyOnWriteArrayList<>();
        for (int p = 0; p < producers; p++) {
            CompletableFuture<Void> finished = new CompletableFuture<>();
            done.add(finished);
            int id = p;
            Thread producer = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        try {
                            src.send("p" + id + "-" + i);
                        } catch (RejectedExecutionException refused) {
                            thrown.incrementAndGet();
                        }
                    }
                    finished.complete(null);
                } catch (Throwable e) {
                    finished.completeExceptionally(e);
                }
            }, "producer-" + p);
            producer.start();
        }
        go.countDown();
        for (CompletableFuture<Void> finished : done) {
            finished.get(10, TimeUnit.SECONDS);
        }

        assertThat(thrown).hasValue(producers * each);
        assertThat(flow.metrics().dispatcher().rejected()).isEqualTo(producers * each);
        assertThat(data().emitted()).isEqualTo(1 + CAPACITY + producers * each);
        release.countDown();
        flow.close();
        assertThat(data().delivered()).isEqualTo(1 + CAPACITY);
    }

    @Test
    void block_emitFromAnInterruptedThread_isRejectedAndKeepsTheFlag() throws Exception {
        Feed src = start(Overflow.BLOCK);
        for (int i = 0; i < CAPACITY; i++) {
            src.send("fill" + i);
        }
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread emitter = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                src.send("interrupted");
                outcome.complete("accepted");
            } catch (Throwable e) {
                outcome.complete(List.of(e, Thread.currentThread().isInterrupted()));
            }
        }, "interrupted-emitter");
        emitter.start();

        assertThat(outcome.get(10, TimeUnit.SECONDS)).asList()
                .satisfies(r -> assertThat(r.get(0)).isInstanceOf(RejectedExecutionException.class))
                .satisfies(r -> assertThat(r.get(1)).isEqualTo(true));
        assertThat(flow.metrics().dispatcher().rejected()).isEqualTo(1);
        release.countDown();
        flow.close();
        assertThat(data().emitted()).isEqualTo(1 + CAPACITY + 1);
        assertThat(data().delivered()).isEqualTo(1 + CAPACITY);
    }

    @Test
    void block_waitingEmitWhenTheFlowCloses_throwsClosed_andIsNoRejection() throws Exception {
        Feed src = start(Overflow.BLOCK);
        for (int i = 0; i < CAPACITY; i++) {
            src.send("fill" + i);
        }
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Waiting.start("blocked-emitter", () -> src.send("waits"), outcome);
        Thread closer = new Thread(flow::close, "closer");
        closer.start();

        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
        release.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(10));
        assertThatThrownBy(() -> src.send("after close")).isInstanceOf(IllegalStateException.class);
        DispatcherMetrics dispatcher = flow.metrics().dispatcher();
        assertThat(dispatcher.rejected()).isZero();
        assertThat(dispatcher.dropped()).isZero();
        assertThat(heard).containsExactly("hold", "fill0", "fill1", "fill2", "fill3");
    }

    @Test
    void fail_refusals_areTheFlowMBeansRejectedAttribute() throws Exception {
        Feed src = start(Overflow.FAIL, Flow.builder().name("adversary4-rejected").jmx(true));
        for (int i = 0; i < CAPACITY; i++) {
            src.send("fill" + i);
        }
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> src.send("refused")).isInstanceOf(RejectedExecutionException.class);
        }

        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        javax.management.ObjectName name =
                new javax.management.ObjectName("io.pipeline:type=Flow,name=adversary4-rejected");
        assertThat(server.getAttribute(name, "Rejected")).isEqualTo(3L);
        assertThat(server.getAttribute(name, "Dropped")).isEqualTo(0L);
        assertThat(java.util.Arrays.stream(server.getMBeanInfo(name).getAttributes())
                .map(javax.management.MBeanAttributeInfo::getName)).contains("Rejected");
    }
}
