package io.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.testing.RecordingErrorReporter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link KafkaSource} keeps {@link io.pipeline.core.Source}'s stop contract under a {@link SyncDispatcher}, whose
 * listeners run on the source's poll thread: a flow closed while a record is in a listener closes its
 * {@code closeOnStop} resource only after the listener returned.
 */
class KafkaSourceStopContractTest {
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void flowCloseWhileARecordIsInAListenerOnThePollThread_closesTheResourceOnlyAfterIt() throws Exception {
        String topic = broker.createTopic("close", 1);
        broker.produceStrings(topic, 0, "k", "0", "1", "2");
        KafkaSource.Options options = KafkaSource.Options.defaults()
                .withBootstrapServers(broker.bootstrapServers())
                .withGroupId(TestBroker.group("close"))
                .withTopics(topic)
                .withCommitInterval(Duration.ofMillis(20));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean resourceClosed = new AtomicBoolean();
        AtomicReference<Thread> deliveredOn = new AtomicReference<>();
        List<String> events = new CopyOnWriteArrayList<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                .errorReporter(new RecordingErrorReporter())
                .manager(handler -> new Manager("kafka", handler) {
                    {
                        KafkaSource<String> source = new KafkaSource<>(processorName("source"), handler,
                                String.class, options);
                        closeOnStop(() -> {
                            resourceClosed.set(true);
                            events.add("closed");
                        });
                        source.on(source.records(), record -> {
                            if (resourceClosed.get()) {
                                events.add("delivered after close");
                            } else if (deliveredOn.compareAndSet(null, Thread.currentThread())) {
                                entered.countDown();
                                release.await(30, TimeUnit.SECONDS);
                                events.add(resourceClosed.get() ? "write after close" : "write");
                            }
                        });
                        setSource(source);
                    }
                }).build();
        flow.start();
        assertThat(entered.await(30, TimeUnit.SECONDS)).as("first record delivered").isTrue();
        assertThat(deliveredOn.get().getName()).isEqualTo("pipeline-kafka-kafka.source");

        CompletableFuture<Void> closed = new CompletableFuture<>();
        Thread closer = new Thread(() -> {
            flow.close();
            closed.complete(null);
        }, "test-kafka-closer");
        closer.setDaemon(true);
        closer.start();
        awaitWaiting(closer);
        assertThat(closed).as("close waits for the record in the listener").isNotDone();

        release.countDown();
        closed.get(60, TimeUnit.SECONDS);

        assertThat(events).containsExactly("write", "closed");
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals("pipeline-kafka-kafka.source") && t.isAlive());
    }

    private static void awaitWaiting(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Thread.State state = thread.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || state == Thread.State.BLOCKED || state == Thread.State.TERMINATED) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError(thread + " neither waited nor ended within 10 s");
    }
}
