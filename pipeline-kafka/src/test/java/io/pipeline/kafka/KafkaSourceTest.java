package io.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.RecoveredFailure;
import io.pipeline.testing.EventRecorder;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaSourceTest {
    /** A broker in this JVM on a loaded machine: its first fetch can take seconds. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    record Reading(String sensor, double value) {}

    private static TestBroker broker;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().startsWith("pipeline-kafka-") && t.isAlive());
    }

    private AsyncDispatcher dispatcher(int capacity) {
        AsyncDispatcher dispatcher = AsyncDispatcher.builder().capacity(capacity).build();
        closeAfter.add(dispatcher);
        return dispatcher;
    }

    private <V> KafkaSource<V> source(MessageHandler handler, Class<V> type, KafkaSource.Options options) {
        KafkaSource<V> source = new KafkaSource<>("source", handler, type, options);
        closeAfter.add(source::stop);
        return source;
    }

    private static KafkaSource.Options options(String topic, String group) {
        return KafkaSource.Options.defaults()
                .withBootstrapServers(broker.bootstrapServers())
                .withGroupId(group)
                .withTopics(topic)
                .withCommitInterval(Duration.ofMillis(20));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void records_areEmittedDecodedWithKeyHeadersAndPosition() throws Exception {
        String topic = broker.createTopic("readings", 1);
        Instant sent = Instant.parse("2026-12-01T08:00:00Z");
        try (var producer = new KafkaProducer<byte[], byte[]>(broker.producerConfig())) {
            var record = new ProducerRecord<>(topic, 0, sent.toEpochMilli(), utf8("s1"),
                    utf8("{\"sensor\":\"s1\",\"value\":21.5}"), List.of(new RecordHeader("origin", utf8("lab"))));
            producer.send(record).get(30, TimeUnit.SECONDS);
        }
        KafkaSource<Reading> source = source(dispatcher(64), Reading.class, options(topic, TestBroker.group("r")));
        EventRecorder<KafkaRecord<Reading>> received = EventRecorder.of(source, source.records());

        source.start();

        KafkaRecord<Reading> record = received.await(1, WAIT).get(0);
        assertThat(record.value()).isEqualTo(new Reading("s1", 21.5));
        assertThat(record.key()).contains("s1");
        assertThat(record.topic()).isEqualTo(topic);
        assertThat(record.partition()).isZero();
        assertThat(record.offset()).isZero();
        assertThat(record.timestamp()).isEqualTo(sent);
        assertThat(record.header("origin")).contains("lab");
        assertThat(record.position()).isEqualTo(topic + "-0@0");
    }

    @Test
    void asyncListener_stalled_commitsOnlyUpToTheRecordInFlight() throws Exception {
        String topic = broker.createTopic("stall", 1);
        String group = TestBroker.group("stall");
        broker.produceStrings(topic, 0, "k", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        KafkaSource<String> source = source(dispatcher(64), String.class, options(topic, group));
        List<CompletableFuture<Void>> stages = new CopyOnWriteArrayList<>();
        CountDownLatch fourthArrived = new CountDownLatch(1);
        source.onAsync(source.records(), record -> {
            if (record.offset() < 3) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> stage = new CompletableFuture<>();
            stages.add(stage);
            fourthArrived.countDown();
            return stage;
        });

        source.start();

        assertThat(fourthArrived.await(30, TimeUnit.SECONDS)).isTrue();
        Eventually.await("offset 3 committed", Duration.ofSeconds(30),
                () -> Long.valueOf(3).equals(broker.committed(group, topic).get(0)));
        // Records 4..9 were emitted too, but wait behind record 3: several commit intervals later nothing moved.
        for (int i = 0; i < 5; i++) {
            assertThat(broker.committed(group, topic)).containsEntry(0, 3L);
        }

        stages.get(0).complete(null);
        Eventually.await("the rest released", Duration.ofSeconds(30), () -> {
            stages.forEach(stage -> stage.complete(null));
            return Long.valueOf(10).equals(broker.committed(group, topic).get(0));
        });
    }

    @Test
    void maxInFlightReached_pausesThePartitions_andResumesWhenHandled() throws Exception {
        String topic = broker.createTopic("inflight", 2);
        String group = TestBroker.group("inflight");
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            values.add(Integer.toString(i));
        }
        broker.produceStrings(topic, 0, "a", values.toArray(String[]::new));
        broker.produceStrings(topic, 1, "b", values.toArray(String[]::new));
        KafkaSource<String> source = source(dispatcher(1024), String.class,
                options(topic, group).withMaxInFlight(5));
        BlockingQueue<CompletableFuture<Void>> stages = new LinkedBlockingQueue<>();
        List<String> handled = new CopyOnWriteArrayList<>();
        source.onAsync(source.records(), record -> {
            CompletableFuture<Void> stage = new CompletableFuture<>();
            stages.add(stage);
            return stage.thenRun(() -> handled.add(record.partition() + ":" + record.value()));
        });

        source.start();

        CompletableFuture<Void> first = stages.poll(30, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        Eventually.await("both partitions paused", Duration.ofSeconds(30),
                () -> source.pausedPartitions().size() == 2);
        assertThat(broker.committed(group, topic)).isEmpty();

        first.complete(null);
        for (int i = 1; i < 100; i++) {
            CompletableFuture<Void> next = stages.poll(30, TimeUnit.SECONDS);
            assertThat(next).as("stage %d", i).isNotNull();
            next.complete(null);
        }
        Eventually.await("everything committed", Duration.ofSeconds(30),
                () -> broker.committed(group, topic).equals(Map.of(0, 50L, 1, 50L)));
        Eventually.await("partitions resumed", Duration.ofSeconds(30), () -> source.pausedPartitions().isEmpty());
        assertThat(handled).hasSize(100);
        for (int p = 0; p < 2; p++) {
            int partition = p;
            assertThat(handled.stream().filter(h -> h.startsWith(partition + ":")).map(h -> h.substring(2)))
                    .containsExactlyElementsOf(values);
        }
    }

    @Test
    void noRoom_aCompletionWakesThePollThread_ratherThanWaitingOutThePollTimeout() throws Exception {
        String topic = broker.createTopic("wake", 1);
        String group = TestBroker.group("wake");
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            values.add(Integer.toString(i));
        }
        broker.produceStrings(topic, 0, "w", values.toArray(String[]::new));
        // One record in flight at a time, and a poll that would wait 10 minutes for records that never come.
        KafkaSource<String> source = source(dispatcher(64), String.class, options(topic, group)
                .withMaxInFlight(1).withPollTimeout(Duration.ofMinutes(10)));
        List<String> handled = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(values.size());
        source.onAsync(source.records(), record -> CompletableFuture.runAsync(() -> {
            handled.add(record.value());
            all.countDown();
        }));

        source.start();

        assertThat(all.await(30, TimeUnit.SECONDS)).as("handled %s", handled.size()).isTrue();
        assertThat(handled).containsExactlyElementsOf(values);
    }

    @Test
    void dispatcherQueueFull_pausesInsteadOfBuffering() throws Exception {
        String topic = broker.createTopic("queue", 1);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            values.add(Integer.toString(i));
        }
        broker.produceStrings(topic, 0, "q", values.toArray(String[]::new));
        AsyncDispatcher dispatcher = dispatcher(4);
        KafkaSource<String> source = source(dispatcher, String.class, options(topic, TestBroker.group("queue")));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        List<String> handled = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(200);
        source.on(source.records(), record -> {
            blocked.countDown();
            assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            handled.add(record.value());
            all.countDown();
        });

        source.start();

        assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
        Eventually.await("partition paused", Duration.ofSeconds(30), () -> source.pausedPartitions().size() == 1);
        assertThat(dispatcher.queueSize()).isLessThanOrEqualTo(dispatcher.capacity());

        release.countDown();
        assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(handled).containsExactlyElementsOf(values);
        Eventually.await("partition resumed", Duration.ofSeconds(30), () -> source.pausedPartitions().isEmpty());
    }

    @Test
    void poisonRecord_isReportedWithPosition_skipped_andCommittedPast() throws Exception {
        String topic = broker.createTopic("poison", 1);
        String group = TestBroker.group("poison");
        broker.produceStrings(topic, 0, "s", "{\"sensor\":\"a\",\"value\":1}", "not json",
                "{\"sensor\":\"b\",\"value\":2}");
        KafkaSource<Reading> source = source(dispatcher(64), Reading.class, options(topic, group));
        EventRecorder<KafkaRecord<Reading>> records = EventRecorder.of(source, source.records());
        EventRecorder<Throwable> errors = EventRecorder.of(source, Processor.ERROR);

        source.start();

        assertThat(records.await(2, WAIT)).extracting(KafkaRecord::value)
                .containsExactly(new Reading("a", 1), new Reading("b", 2));
        Throwable error = errors.await(1, WAIT).get(0);
        assertThat(error).isInstanceOf(PoisonRecordException.class)
                .hasMessageContaining(topic + "-0@1").hasMessageNotContaining("not json");
        PoisonRecordException poison = (PoisonRecordException) error;
        assertThat(poison.topic()).isEqualTo(topic);
        assertThat(poison.partition()).isZero();
        assertThat(poison.offset()).isEqualTo(1);
        Eventually.await("committed past the poison record", Duration.ofSeconds(30),
                () -> Long.valueOf(3).equals(broker.committed(group, topic).get(0)));
        assertThat(source.isDone()).isFalse();
    }

    @Test
    void poisonRecord_withDeadLetterTopic_isWrittenThereWithItsOrigin() throws Exception {
        String topic = broker.createTopic("dl-in", 1);
        String deadLetters = broker.createTopic("dl-out", 1);
        String group = TestBroker.group("dl");
        broker.produceStrings(topic, 0, "s", "{\"sensor\":\"a\",\"value\":1}", "{broken");
        KafkaSource<Reading> source = source(dispatcher(64), Reading.class,
                options(topic, group).withDeadLetterTopic(deadLetters));
        source.on(Processor.ERROR, error -> {});

        source.start();

        ConsumerRecord<byte[], byte[]> dead = broker.read(deadLetters, 1).get(0);
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{broken");
        assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("s");
        assertThat(new String(dead.headers().lastHeader(KafkaSource.DLT_TOPIC).value(), StandardCharsets.UTF_8))
                .isEqualTo(topic);
        assertThat(new String(dead.headers().lastHeader(KafkaSource.DLT_OFFSET).value(), StandardCharsets.UTF_8))
                .isEqualTo("1");
        Eventually.await("committed past the poison record", Duration.ofSeconds(30),
                () -> Long.valueOf(2).equals(broker.committed(group, topic).get(0)));
    }

    @Test
    void brokerUnreachable_reportsFailures_thenFailsTheSourceAtTheThreshold() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: connections to it are refused
        }
        KafkaSource<String> source = source(dispatcher(64), String.class, KafkaSource.Options.defaults()
                .withBootstrapServers("127.0.0.1:" + port)
                .withGroupId("nobody")
                .withTopics("nothing")
                .withBrokerCheckInterval(Duration.ofMillis(50))
                .withRequestTimeout(Duration.ofMillis(200))
                .withExceptionThreshold(3)
                .withConfig(Map.of("sasl.jaas.config", "secret-password-123")));
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        source.on(Processor.ERROR, errors::add);

        CompletableFuture<Void> done = source.start();

        assertThatThrownBy(() -> done.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().hasMessageContaining("broker unreachable").hasMessageContaining("3 failures in a row")
                .hasMessageNotContaining("secret-password-123");
        assertThat(errors).hasSize(2).allMatch(e -> e instanceof RecoveredFailure)
                .allMatch(e -> e.getMessage().contains("broker unreachable"));
        assertThat(source.toString()).doesNotContain("secret-password-123").contains("sasl.jaas.config=***");
    }

    @Test
    void stop_whileRecordsInFlight_waitsForThem_commits_andEndsItsThread() throws Exception {
        String topic = broker.createTopic("stop", 1);
        String group = TestBroker.group("stop");
        broker.produceStrings(topic, 0, "k", "0", "1", "2");
        KafkaSource<String> source = source(dispatcher(64), String.class,
                options(topic, group).withCommitInterval(Duration.ofMinutes(10)));
        CompletableFuture<Void> stage = new CompletableFuture<>();
        CountDownLatch arrived = new CountDownLatch(1);
        source.onAsync(source.records(), record -> {
            arrived.countDown();
            return record.offset() == 0 ? stage : CompletableFuture.completedFuture(null);
        });
        CompletableFuture<Void> done = source.start();
        assertThat(arrived.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(source::stop);
        stage.complete(null);
        stopping.get(30, TimeUnit.SECONDS);

        assertThat(done).isCompleted();
        assertThat(broker.committed(group, topic)).containsEntry(0, 3L);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("pipeline-kafka-source"));
    }

    @Test
    void stop_withAListenerThatNeverCompletes_givesUpAfterStopTimeout_committingOnlyWhatWasHandled()
            throws Exception {
        String topic = broker.createTopic("stuck", 1);
        String group = TestBroker.group("stuck");
        broker.produceStrings(topic, 0, "k", "0", "1", "2", "3");
        KafkaSource<String> source = source(dispatcher(64), String.class,
                options(topic, group).withStopTimeout(Duration.ofMillis(300)));
        CountDownLatch stuck = new CountDownLatch(1);
        CompletableFuture<Void> never = new CompletableFuture<>();
        closeAfter.add(() -> never.complete(null)); // before the dispatcher closes, which waits for it
        source.onAsync(source.records(), record -> {
            if (record.offset() < 2) {
                return CompletableFuture.completedFuture(null);
            }
            stuck.countDown();
            return never;
        });
        CompletableFuture<Void> done = source.start();
        assertThat(stuck.await(30, TimeUnit.SECONDS)).isTrue();

        long started = System.nanoTime();
        source.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(done).isCompleted();
        assertThat(broker.committed(group, topic)).containsEntry(0, 2L);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("pipeline-kafka-source"));
    }

    @Test
    void listenerThatThrows_recordCountsAsHandled_errorIsEmitted_andCommitsMoveOn() throws Exception {
        String topic = broker.createTopic("throws", 1);
        String group = TestBroker.group("throws");
        broker.produceStrings(topic, 0, "k", "ok", "boom", "ok");
        KafkaSource<String> source = source(dispatcher(64), String.class, options(topic, group));
        EventRecorder<Throwable> errors = EventRecorder.of(source, Processor.ERROR);
        source.on(source.records(), record -> {
            if (record.value().equals("boom")) {
                throw new IllegalStateException("listener failed on " + record.position());
            }
        });

        source.start();

        Throwable error = errors.await(1, WAIT).get(0);
        assertThat(error).isInstanceOf(io.pipeline.core.ListenerException.class)
                .hasRootCauseMessage("listener failed on " + topic + "-0@1");
        Eventually.await("committed past every record", Duration.ofSeconds(30),
                () -> Long.valueOf(3).equals(broker.committed(group, topic).get(0)));
        assertThat(source.isDone()).isFalse();
    }

    @Test
    void secondMemberJoins_partitionsAreShared_withoutLossOrDuplicates() throws Exception {
        String topic = broker.createTopic("share", 4);
        String group = TestBroker.group("share");
        AsyncDispatcher dispatcher = dispatcher(256);
        List<String> handled = new CopyOnWriteArrayList<>();
        KafkaSource<String> first = new KafkaSource<>("first", dispatcher, String.class, options(topic, group));
        KafkaSource<String> second = new KafkaSource<>("second", dispatcher, String.class, options(topic, group));
        closeAfter.add(first::stop);
        closeAfter.add(second::stop);
        first.on(first.records(), r -> handled.add("first " + r.partition() + " " + r.value()));
        second.on(second.records(), r -> handled.add("second " + r.partition() + " " + r.value()));
        first.start();
        for (int p = 0; p < 4; p++) {
            broker.produceStrings(topic, p, "k" + p, "a", "b");
        }
        Eventually.await("first member handled the first batch", Duration.ofSeconds(30), () -> handled.size() == 8);

        second.start();
        Eventually.await("two members with two partitions each", Duration.ofSeconds(30),
                () -> broker.members(group).values().stream().filter(a -> a.size() == 2).count() == 2);
        for (int p = 0; p < 4; p++) {
            broker.produceStrings(topic, p, "k" + p, "c", "d");
        }

        Eventually.await("every record handled", Duration.ofSeconds(30), () -> handled.size() >= 16);
        assertThat(handled).hasSize(16).doesNotHaveDuplicates();
        assertThat(handled).anyMatch(h -> h.startsWith("second ") && (h.endsWith(" c") || h.endsWith(" d")));
    }

    @Test
    void revocation_waitsForRecordsInFlight_andCommitsThem_soTheNewOwnerDoesNotRepeatThem() throws Exception {
        String topic = broker.createTopic("revoke", 2);
        String group = TestBroker.group("revoke");
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            values.add(Integer.toString(i));
        }
        broker.produceStrings(topic, 0, "a", values.toArray(String[]::new));
        broker.produceStrings(topic, 1, "b", values.toArray(String[]::new));
        AsyncDispatcher dispatcher = dispatcher(256);
        List<String> handled = new CopyOnWriteArrayList<>();
        List<KafkaSource<String>> sources = new ArrayList<>();
        for (String name : List.of("first", "second")) {
            KafkaSource<String> source = new KafkaSource<>(name, dispatcher, String.class,
                    options(topic, group).withMaxInFlight(10).withConfig(Map.of("heartbeat.interval.ms", 200)));
            closeAfter.add(source::stop);
            // 20 ms of I/O per record, 6 s in all: when the second member joins, the first has records in flight.
            var io = CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS);
            source.onAsync(source.records(), record -> CompletableFuture.runAsync(
                    () -> handled.add(name + " " + record.partition() + "@" + record.offset()), io));
            sources.add(source);
        }
        sources.get(0).start();
        Eventually.await("the first member under way", Duration.ofSeconds(30), () -> handled.size() >= 20);

        sources.get(1).start();

        Eventually.await("every record handled", Duration.ofSeconds(60), () -> handled.stream()
                .map(h -> h.substring(h.indexOf(' ') + 1)).distinct().count() == 300);
        assertThat(handled.stream().map(h -> h.substring(h.indexOf(' ') + 1)).toList()).doesNotHaveDuplicates();
        assertThat(handled).anyMatch(h -> h.startsWith("second "));
        Eventually.await("both partitions committed to the end", Duration.ofSeconds(30),
                () -> broker.committed(group, topic).equals(Map.of(0, 150L, 1, 150L)));
    }

    @Test
    void options_missingGroupOrContradictingConfig_areRefusedNamingTheSetting() {
        AsyncDispatcher dispatcher = dispatcher(16);
        var base = KafkaSource.Options.defaults().withBootstrapServers("localhost:1").withTopics("t");
        assertThatThrownBy(() -> new KafkaSource<>("s", dispatcher, String.class, base))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group");
        assertThatThrownBy(() -> new KafkaSource<>("s", dispatcher, String.class, base.withGroupId("g")
                .withConfig(Map.of("enable.auto.commit", "true"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable.auto.commit");
        assertThatThrownBy(() -> base.withMaxInFlight(0)).hasMessageContaining("maxInFlight < 1: 0");
        assertThatThrownBy(() -> base.withCommitInterval(Duration.ZERO)).hasMessageContaining("commitInterval");
        assertThatThrownBy(() -> base.withTopics(List.of())).hasMessageContaining("no topics");
    }

    @Test
    void extremeDurations_areCutToAYear_andTheSourceStillStartsAndStops() throws Exception {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
        String topic = broker.createTopic("extreme", 1);
        broker.produceStrings(topic, 0, "k", "x");
        KafkaSource.Options options = options(topic, TestBroker.group("extreme")).withPollTimeout(forever)
                .withStopTimeout(forever).withRevokeTimeout(forever).withRequestTimeout(forever)
                .withBrokerCheckInterval(forever).withCommitInterval(forever);
        assertThat(options.stopTimeout()).isEqualTo(Duration.ofDays(365));
        KafkaSource<String> source = source(dispatcher(16), String.class, options);
        CountDownLatch received = new CountDownLatch(1);
        source.on(source.records(), record -> received.countDown());

        CompletableFuture<Void> done = source.start();
        assertThat(received.await(30, TimeUnit.SECONDS)).isTrue();
        source.stop();

        assertThat(done).isCompleted();
    }

    @Test
    void start_twice_throws() throws Exception {
        String topic = broker.createTopic("twice", 1);
        KafkaSource<String> source = source(dispatcher(16), String.class, options(topic, TestBroker.group("twice")));
        source.start();
        assertThatThrownBy(source::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
    }
}
