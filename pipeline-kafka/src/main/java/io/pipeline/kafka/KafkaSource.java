package io.pipeline.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.RecoveredFailure;
import io.pipeline.core.Source;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A {@link Source} that consumes one or more Kafka topics in a consumer group and emits every record as
 * {@link #RECORD} (typed: {@link #records()}), with at-least-once delivery.
 *
 * <pre>{@code
 * var source = new KafkaSource<>(processorName("source"), handler, Quote.class, KafkaSource.Options.defaults()
 *         .withBootstrapServers("localhost:9092").withGroupId("quote-writers").withTopics("quotes"));
 * source.on(source.records(), record -> writer.write(record.value()));
 * }</pre>
 *
 * <h2>At least once</h2>
 * Every record is emitted with {@code emitAsync}; its offset becomes committable only when that future completes,
 * that is when every listener — asynchronous ones included — has handled it (a listener that throws has handled
 * it too: its failure went to the emitting processor's {@code ERROR}). Commits go per partition up to the lowest
 * offset not handled yet, so records handled out of order never move the committed offset past one still in
 * flight, and a crash re-delivers rather than skips. Commits are sent every {@link Options#commitInterval()}, and
 * synchronously on revocation and on {@link #stop()}. Records in flight when a process dies are delivered again
 * to the partition's next owner: listeners should tolerate duplicates.
 *
 * <h2>Order and parallelism</h2>
 * Records of one partition are emitted in offset order from one thread, so the handler keeps their order (an
 * {@link AsyncDispatcher} delivers them in order; an async listener gets the next only when the previous is done).
 * Spread load over processes or managers with more partitions and more members of the group: each partition is
 * consumed by one member at a time.
 *
 * <h2>Rebalances</h2>
 * On revocation the source drops the revoked partitions' records not emitted yet, waits up to
 * {@link Options#revokeTimeout()} for those in flight, and commits them; records still in flight after that may
 * be delivered again by the new owner. On assignment it resumes from the group's committed offset (or from
 * {@code auto.offset.reset}, default {@code earliest}, when there is none).
 *
 * <h2>Backpressure</h2>
 * At most {@link Options#maxInFlight()} records are in flight (emitted, not handled); and when the handler is an
 * {@code AsyncDispatcher} whose queue is full, no record is emitted. Then the source pauses the assigned partitions
 * instead of buffering: it keeps polling (so it stays in the group and commits), but fetches nothing more until
 * there is room again, then resumes them. What one poll returned ({@code max.poll.records}, default 500) is the
 * most it holds.
 *
 * <h2>Failures</h2>
 * <ul>
 *   <li>A record whose value cannot be decoded (a <em>poison</em> record) is emitted as {@code ERROR}, a
 *       {@link PoisonRecordException} naming topic, partition and offset, and skipped — or, with
 *       {@link Options#withDeadLetterTopic}, written to that topic (raw bytes, headers added) — and committed
 *       past; the source keeps going.</li>
 *   <li>A failed poll or commit, or a broker that cannot be reached (checked when nothing arrived for
 *       {@link Options#brokerCheckInterval()}), is emitted as {@code ERROR}, a {@link RecoveredFailure}, and
 *       counted; any success resets the count. At {@link Options#exceptionThreshold()} failures in a row the
 *       source fails, so that the {@link io.pipeline.core.Flow} restarts its manager with backoff.</li>
 *   <li>A record discarded by the handler's overflow policy ({@code DROP_*}, {@code FAIL}) fails the source
 *       (nothing is committed past it): use {@link io.pipeline.core.Overflow#BLOCK}, the default.</li>
 * </ul>
 * Messages name topics, partitions, offsets and settings' keys, never configuration values or record bytes.
 *
 * <h2>Threads and lifecycle</h2>
 * NEW → RUNNING ({@link #start()}) → STOPPING ({@link #stop()}, or a failure) → DONE. The {@code KafkaConsumer},
 * which is not thread-safe, is used by one thread only, {@code pipeline-kafka-<name>}, started by {@code start()}.
 * {@code stop()} wakes it, waits up to {@link Options#stopTimeout()} for the records in flight, commits, closes
 * the consumer (leaving the group at once, so the others take its partitions over), and returns when the thread has
 * ended. Listeners run where the handler runs them, never on that thread unless the handler is a
 * {@code SyncDispatcher}. This class is thread-safe.
 *
 * @param <V> the type records' values are decoded into: {@code byte[]}, {@code String} (UTF-8),
 *            {@code JsonNode}, or any type Jackson can read from JSON
 */
public final class KafkaSource<V> extends Source {
    /** Emitted for every record consumed. Use {@link #records()} for the typed event (the same key). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final Event<KafkaRecord<?>> RECORD = (Event) Event.of("record", KafkaRecord.class);

    /** Header names a dead-lettered record carries, besides its own headers. */
    public static final String DLT_TOPIC = "pipeline.dlt.topic";
    /** @see #DLT_TOPIC */
    public static final String DLT_PARTITION = "pipeline.dlt.partition";
    /** @see #DLT_TOPIC */
    public static final String DLT_OFFSET = "pipeline.dlt.offset";
    /** @see #DLT_TOPIC */
    public static final String DLT_ERROR = "pipeline.dlt.error";

    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    /** A record handled (or failed) by the pipeline, handed from whatever thread completed it to the poll thread. */
    private record Done(PartitionProgress progress, PartitionProgress.Pending pending, String position,
                        Throwable failure) {}

    private final Codec<V> codec;
    private final Options options;
    private final Function<Map<String, Object>, Consumer<byte[], byte[]>> consumers;
    private final Function<Map<String, Object>, Producer<byte[], byte[]>> producers;
    private final AtomicBoolean started = new AtomicBoolean();
    private final LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
    private volatile boolean stopping;
    private volatile Consumer<byte[], byte[]> consumer;
    private volatile Thread thread;
    private volatile Set<TopicPartition> paused = Set.of();
    /**
     * Set by the poll thread when it paused for want of room and is about to wait in {@code poll}; the first
     * completion then wakes it, so that it emits again at once rather than after {@link Options#pollTimeout}.
     */
    private volatile boolean starved;

    // ---- owned by the poll thread ----
    private final OffsetBook book = new OffsetBook();
    private final Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffered = new LinkedHashMap<>();
    private Producer<byte[], byte[]> deadLetters;
    private Throwable fatal;
    private int failures;
    /** Set once {@link #finish} waited and committed: the revocation that closing the consumer triggers waits no more. */
    private boolean finished;
    private long lastCommitNanos;
    private long lastContactNanos;

    /**
     * Creates a source named {@code name} decoding values into {@code valueType}.
     *
     * @throws IllegalArgumentException if the options name no topic, no bootstrap servers or no group id, or the
     *     caller's config contradicts what the source relies on ({@code enable.auto.commit=true}, deserializers)
     */
    public KafkaSource(String name, MessageHandler handler, Class<V> valueType, Options options) {
        this(name, handler, valueType, options, KafkaConsumer::new, KafkaProducer::new);
    }

    KafkaSource(String name, MessageHandler handler, Class<V> valueType, Options options,
                Function<Map<String, Object>, Consumer<byte[], byte[]>> consumers,
                Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
        super(name, handler);
        Objects.requireNonNull(valueType, "valueType");
        this.options = Objects.requireNonNull(options, "options");
        this.codec = new Codec<>(valueType, options.mapper);
        this.consumers = Objects.requireNonNull(consumers, "consumers");
        this.producers = Objects.requireNonNull(producers, "producers");
        consumerConfig(name); // validates now rather than on the poll thread
    }

    /** {@link #RECORD}, typed by this source's value type. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Event<KafkaRecord<V>> records() {
        return (Event) RECORD;
    }

    /** The options this source was built with. */
    public Options options() {
        return options;
    }

    /**
     * Starts the poll thread, which subscribes to the topics. Does not block.
     *
     * @throws IllegalStateException if already started
     */
    @Override
    public CompletableFuture<Void> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("kafka source '" + name() + "' already started");
        }
        Thread poller = new Thread(this::run, "pipeline-kafka-" + name());
        poller.setDaemon(true);
        thread = poller;
        poller.start();
        return completion();
    }

    /**
     * Stops consuming: waits up to {@link Options#stopTimeout()} for the records in flight, commits them, closes
     * the consumer, and returns once the poll thread has ended. Called from a listener — on the poll thread itself
     * or on the dispatcher's delivery thread — it returns at once, and the poll thread finishes on its own once
     * that listener returned (the source's future completes then), since waiting there would wait for the very
     * record the listener holds. Records still in flight after the timeout are not committed: the group's next
     * member gets them again. Idempotent.
     */
    @Override
    public void stop() {
        stopping = true;
        Consumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        Thread poller = thread;
        if (poller != null && poller != Thread.currentThread() && !onDeliveryThread()) {
            try {
                // finish: the wait and a commit; close: a commit on revocation and leaving the group
                poller.join(options.stopTimeout.plus(options.requestTimeout.multipliedBy(3)).plusSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        super.stop();
    }

    /** Partitions the source has paused now (a snapshot), for tests and monitoring. */
    Set<TopicPartition> pausedPartitions() {
        return paused;
    }

    // ---- the poll thread ------------------------------------------------------------------------------------

    private void run() {
        Consumer<byte[], byte[]> client = null;
        try {
            client = consumers.apply(consumerConfig(name()));
            consumer = client;
            if (stopping) {
                client.wakeup();
            }
            client.subscribe(options.topics, new Rebalancing(client));
            lastContactNanos = lastCommitNanos = System.nanoTime();
            while (!stopping && fatal == null) {
                try {
                    step(client);
                } catch (WakeupException e) {
                    // stop() woke the consumer: the loop condition ends it
                } catch (InterruptException e) {
                    Thread.interrupted();
                    stopping = true;
                } catch (KafkaException e) {
                    failed("poll failed", e);
                }
            }
            finish(client);
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError fatalError) {
                fail(fatalError);
                throw fatalError;
            }
            fatal = fatal == null ? t : fatal;
        } finally {
            close(client);
            if (fatal != null) {
                fail(fatal);
            } else {
                complete();
            }
        }
    }

    /** One turn of the loop: apply completions, commit, emit what fits, pause or resume, poll. */
    void step(Consumer<byte[], byte[]> client) {
        drainDone();
        maybeCommit(client, false);
        emitBuffered();
        updatePauses(client);
        ConsumerRecords<byte[], byte[]> polled = client.poll(done.isEmpty() ? options.pollTimeout : Duration.ZERO);
        if (!polled.isEmpty()) {
            contact();
            for (ConsumerRecord<byte[], byte[]> record : polled) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (book.contains(partition)) {
                    buffered.computeIfAbsent(partition, p -> new ArrayDeque<>()).addLast(record);
                }
            }
        }
        emitBuffered();
        checkBroker(client);
    }

    private void drainDone() {
        Done next;
        while ((next = done.poll()) != null) {
            apply(next);
        }
    }

    private void apply(Done next) {
        if (next.failure() != null) {
            if (fatal == null) {
                fatal = new IllegalStateException("kafka source '" + name() + "': record " + next.position()
                        + " was not handled", next.failure());
            }
            return; // never commit past a record the pipeline did not handle
        }
        next.progress().handled(next.pending());
    }

    private boolean hasRoom() {
        if (book.unfinished() >= options.maxInFlight) {
            return false;
        }
        return !(handler() instanceof AsyncDispatcher async) || async.queueSize() < async.capacity();
    }

    private void emitBuffered() {
        boolean progress = true;
        while (progress && fatal == null) {
            progress = false;
            for (var it = buffered.entrySet().iterator(); it.hasNext() && fatal == null; ) {
                var entry = it.next();
                if (!hasRoom()) {
                    return;
                }
                ConsumerRecord<byte[], byte[]> record = entry.getValue().pollFirst();
                if (record != null) {
                    emitRecord(entry.getKey(), record);
                    progress = true;
                }
                if (entry.getValue().isEmpty()) {
                    it.remove();
                }
            }
        }
    }

    private void emitRecord(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
        PartitionProgress progress = book.get(partition);
        if (progress == null) {
            return;
        }
        PartitionProgress.Pending pending = progress.emitted(record.offset());
        String position = record.topic() + "-" + record.partition() + "@" + record.offset();
        KafkaRecord<V> decoded;
        try {
            decoded = decode(record);
        } catch (Exception e) {
            poison(record, progress, pending, position, e);
            return;
        }
        CompletableFuture<Boolean> handled;
        try {
            handled = emitAsync(records(), decoded);
        } catch (RejectedExecutionException | IllegalStateException e) {
            done.add(new Done(progress, pending, position, e));
            return;
        }
        handled.whenComplete((ignored, failure) -> handOver(new Done(progress, pending, position, failure)));
    }

    /** Gives a completion to the poll thread; wakes it if it waits for room. Runs on any thread. */
    private void handOver(Done next) {
        done.add(next);
        if (starved) {
            starved = false;
            Consumer<byte[], byte[]> current = consumer;
            if (current != null) {
                current.wakeup(); // the poll thread takes the WakeupException as "look again"
            }
        }
    }

    private KafkaRecord<V> decode(ConsumerRecord<byte[], byte[]> record) throws Exception {
        java.util.Optional<String> key = record.key() == null
                ? java.util.Optional.empty() : java.util.Optional.of(Codec.utf8(record.key()));
        V value = record.value() == null ? null : codec.decode(record.value());
        List<KafkaRecord.Header> headers = new ArrayList<>();
        for (org.apache.kafka.common.header.Header header : record.headers()) {
            headers.add(new KafkaRecord.Header(header.key(), header.value()));
        }
        return new KafkaRecord<>(record.topic(), record.partition(), record.offset(),
                java.time.Instant.ofEpochMilli(Math.max(0, record.timestamp())), key, value, headers);
    }

    private void poison(ConsumerRecord<byte[], byte[]> record, PartitionProgress progress,
                        PartitionProgress.Pending pending, String position, Exception cause) {
        String what = "cannot decode " + (record.key() != null && cause instanceof java.nio.charset.CharacterCodingException
                ? "key or value" : "value") + " as " + codec.type().getSimpleName()
                + (options.deadLetterTopic == null ? "; skipped" : "; sent to " + options.deadLetterTopic);
        report(new PoisonRecordException(record.topic(), record.partition(), record.offset(), what, cause));
        if (options.deadLetterTopic == null) {
            progress.handled(pending);
            return;
        }
        try {
            deadLetter().send(toDeadLetter(record, cause), (metadata, failure) ->
                    done.add(new Done(progress, pending, position, failure == null ? null
                            : new KafkaSendException(options.deadLetterTopic, position, failure))));
        } catch (KafkaException e) {
            done.add(new Done(progress, pending, position, new KafkaSendException(options.deadLetterTopic, position, e)));
        }
    }

    private Producer<byte[], byte[]> deadLetter() {
        if (deadLetters == null) {
            deadLetters = producers.apply(producerConfig());
        }
        return deadLetters;
    }

    private ProducerRecord<byte[], byte[]> toDeadLetter(ConsumerRecord<byte[], byte[]> record, Exception cause) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(options.deadLetterTopic, null, record.key(),
                record.value(), record.headers());
        Headers headers = out.headers();
        headers.add(DLT_TOPIC, utf8(record.topic()));
        headers.add(DLT_PARTITION, utf8(Integer.toString(record.partition())));
        headers.add(DLT_OFFSET, utf8(Long.toString(record.offset())));
        headers.add(DLT_ERROR, utf8(cause.getClass().getName()));
        return out;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private void updatePauses(Consumer<byte[], byte[]> client) {
        Set<TopicPartition> wanted = new HashSet<>(buffered.keySet());
        if (!hasRoom()) {
            wanted.addAll(book.assigned());
            starved = true;
            if (!done.isEmpty()) {
                starved = false; // a completion came in meanwhile: do not wait for the next
            }
        }
        wanted.retainAll(book.assigned());
        Set<TopicPartition> now = client.paused();
        Set<TopicPartition> resume = new HashSet<>(now);
        resume.removeAll(wanted);
        Set<TopicPartition> pause = new HashSet<>(wanted);
        pause.removeAll(now);
        if (!resume.isEmpty()) {
            client.resume(resume);
        }
        if (!pause.isEmpty()) {
            client.pause(pause);
        }
        paused = Set.copyOf(wanted);
    }

    private void maybeCommit(Consumer<byte[], byte[]> client, boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastCommitNanos < options.commitInterval.toNanos()) {
            return;
        }
        lastCommitNanos = now;
        Map<TopicPartition, OffsetAndMetadata> offsets = book.toCommit();
        if (offsets.isEmpty()) {
            return;
        }
        client.commitAsync(offsets, (committed, failure) -> {
            if (failure == null) {
                book.committed(committed);
                contact();
            } else {
                failed("commit failed", failure);
            }
        });
    }

    /** Commits synchronously (revocation, stop); failures are reported and counted, not thrown. */
    private void commitNow(Consumer<byte[], byte[]> client, Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        try {
            client.commitSync(offsets, options.requestTimeout);
            book.committed(offsets);
        } catch (WakeupException e) {
            // stop() is under way: try once more, the wake-up is spent
            client.commitSync(offsets, options.requestTimeout);
            book.committed(offsets);
        } catch (KafkaException e) {
            failed("commit failed", e);
        }
    }

    private void checkBroker(Consumer<byte[], byte[]> client) {
        long now = System.nanoTime();
        if (now - lastContactNanos < options.brokerCheckInterval.toNanos()) {
            return;
        }
        lastContactNanos = now; // one check per interval, whatever its outcome
        try {
            client.listTopics(options.requestTimeout);
            contact();
        } catch (WakeupException | InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            failed("broker unreachable", e);
        }
    }

    private void contact() {
        lastContactNanos = System.nanoTime();
        failures = 0;
    }

    private void failed(String what, Throwable cause) {
        failures++;
        if (failures >= options.exceptionThreshold) {
            fatal = new IllegalStateException("kafka source '" + name() + "': " + what + " (" + failures
                    + " failures in a row, threshold " + options.exceptionThreshold + ")", cause);
            return;
        }
        report(new RecoveredFailure("kafka source '" + name() + "': " + what + " (" + failures + " of "
                + options.exceptionThreshold + "); retrying", cause));
    }

    private void report(Throwable failure) {
        try {
            emit(ERROR, failure);
        } catch (IllegalStateException closed) {
            // the handler is closed: nobody can hear it any more
        }
    }

    /** Waits for the records in flight (bounded), commits them. */
    private void finish(Consumer<byte[], byte[]> client) throws InterruptedException {
        buffered.clear();
        awaitHandled(book.assigned(), options.stopTimeout);
        commitNow(client, book.toCommit());
        finished = true;
    }

    private void awaitHandled(Collection<TopicPartition> partitions, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        drainDone();
        while (book.unfinished(partitions) > 0 && fatal == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Done next = done.poll(left, TimeUnit.NANOSECONDS);
            if (next != null) {
                apply(next);
            }
        }
    }

    private void close(Consumer<byte[], byte[]> client) {
        if (client != null) {
            try {
                client.close(CloseOptions.timeout(options.requestTimeout));
            } catch (RuntimeException e) {
                report(new RecoveredFailure("kafka source '" + name() + "': closing the consumer failed", e));
            }
        }
        if (deadLetters != null) {
            try {
                deadLetters.close(options.requestTimeout);
            } catch (RuntimeException e) {
                report(new RecoveredFailure("kafka source '" + name() + "': closing the dead-letter producer failed", e));
            }
        }
    }

    /** Runs on the poll thread, inside {@code poll}. */
    private final class Rebalancing implements ConsumerRebalanceListener {
        private final Consumer<byte[], byte[]> client;

        Rebalancing(Consumer<byte[], byte[]> client) {
            this.client = client;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(buffered::remove);
            if (!finished) {
                try {
                    awaitHandled(partitions, options.revokeTimeout);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            commitNow(client, book.toCommit(partitions));
            book.remove(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(buffered::remove);
            book.remove(partitions); // another member owns them already: committing would fail
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            book.assign(partitions);
        }
    }

    // ---- configuration --------------------------------------------------------------------------------------

    Map<String, Object> consumerConfig(String clientName) {
        Map<String, Object> config = new HashMap<>(options.config);
        if (options.bootstrapServers != null) {
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers);
        }
        if (options.groupId != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, options.groupId);
        }
        if (!config.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("kafka source '" + clientName + "': no bootstrap servers "
                    + "(Options.withBootstrapServers or config 'bootstrap.servers')");
        }
        if (!config.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
            throw new IllegalArgumentException("kafka source '" + clientName + "': no consumer group "
                    + "(Options.withGroupId or config 'group.id')");
        }
        if (options.topics.isEmpty()) {
            throw new IllegalArgumentException("kafka source '" + clientName + "': no topics (Options.withTopics)");
        }
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientName + "-" + CLIENT_IDS.incrementAndGet());
        Configs.force(config, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                "the source commits what the pipeline handled");
        Configs.force(config, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                "the source decodes keys itself");
        Configs.force(config, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                "the source decodes values itself, so that a poison record is reported and skipped");
        return config;
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>();
        Set<String> producerKeys = ProducerConfig.configNames();
        options.config.forEach((key, value) -> {
            if (producerKeys.contains(key) && !key.equals(ProducerConfig.CLIENT_ID_CONFIG)) {
                config.put(key, value);
            }
        });
        if (options.bootstrapServers != null) {
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers);
        }
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    @Override
    public String toString() {
        return "KafkaSource[" + name() + ", " + options + "]";
    }

    /**
     * The settings of a {@link KafkaSource}. Start from {@link #defaults()} and change what you need with the
     * {@code with…} methods, each of which returns a new value. Instances are immutable and safe for concurrent use.
     *
     * <p>Anything not set here goes to the {@code KafkaConsumer} through {@link #withConfig(Map)} (security,
     * fetch sizes, {@code session.timeout.ms}, {@code group.instance.id}…). The source sets, unless the config
     * does: {@code auto.offset.reset=earliest}, {@code client.id=<source name>-N}. It always sets
     * {@code enable.auto.commit=false} and byte-array deserializers, and refuses a config that says otherwise.
     * {@link #toString()} shows config keys, never their values. Durations longer than 365 days are taken as 365
     * days.
     */
    public static final class Options {
        private String bootstrapServers;
        private String groupId;
        private List<String> topics = List.of();
        private Map<String, Object> config = Map.of();
        private ObjectMapper mapper = defaultMapper();
        private int maxInFlight = 1000;
        private Duration commitInterval = Duration.ofMillis(100);
        private Duration pollTimeout = Duration.ofMillis(100);
        private Duration revokeTimeout = Duration.ofSeconds(10);
        private Duration stopTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration brokerCheckInterval = Duration.ofSeconds(5);
        private int exceptionThreshold = 10;
        private String deadLetterTopic;

        private Options() {}

        /**
         * The defaults: no topics, servers or group yet; at most 1,000 records in flight; commit every 100 ms;
         * poll for up to 100 ms; wait 10 s for in-flight records on revocation and on stop; requests time out
         * after 5 s; check the broker after 5 s without contact; fail after 10 failures in a row; skip poison
         * records; a Jackson mapper that knows {@code java.time} types.
         */
        public static Options defaults() {
            return new Options();
        }

        private Options copy() {
            Options copy = new Options();
            copy.bootstrapServers = bootstrapServers;
            copy.groupId = groupId;
            copy.topics = topics;
            copy.config = config;
            copy.mapper = mapper;
            copy.maxInFlight = maxInFlight;
            copy.commitInterval = commitInterval;
            copy.pollTimeout = pollTimeout;
            copy.revokeTimeout = revokeTimeout;
            copy.stopTimeout = stopTimeout;
            copy.requestTimeout = requestTimeout;
            copy.brokerCheckInterval = brokerCheckInterval;
            copy.exceptionThreshold = exceptionThreshold;
            copy.deadLetterTopic = deadLetterTopic;
            return copy;
        }

        /** {@code host:port[,host:port…]} of the brokers to bootstrap from ({@code bootstrap.servers}). */
        public Options withBootstrapServers(String bootstrapServers) {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            if (bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers is blank");
            }
            Options copy = copy();
            copy.bootstrapServers = bootstrapServers;
            return copy;
        }

        /** The consumer group ({@code group.id}): members of one group share the topics' partitions. */
        public Options withGroupId(String groupId) {
            Objects.requireNonNull(groupId, "groupId");
            if (groupId.isBlank()) {
                throw new IllegalArgumentException("groupId is blank");
            }
            Options copy = copy();
            copy.groupId = groupId;
            return copy;
        }

        /** The topics to consume. */
        public Options withTopics(String... topics) {
            return withTopics(List.of(topics));
        }

        /** The topics to consume. */
        public Options withTopics(Collection<String> topics) {
            List<String> list = List.copyOf(topics);
            if (list.isEmpty()) {
                throw new IllegalArgumentException("no topics");
            }
            for (String topic : list) {
                if (topic.isBlank()) {
                    throw new IllegalArgumentException("blank topic in " + list);
                }
            }
            Options copy = copy();
            copy.topics = list;
            return copy;
        }

        /** Further {@code KafkaConsumer} settings (and, for a dead-letter topic, producer settings). */
        public Options withConfig(Map<String, ?> config) {
            Options copy = copy();
            copy.config = Configs.copy(config);
            return copy;
        }

        /** The Jackson mapper values are decoded with. */
        public Options withMapper(ObjectMapper mapper) {
            Options copy = copy();
            copy.mapper = Objects.requireNonNull(mapper, "mapper");
            return copy;
        }

        /** At most this many records emitted and not yet handled; past it the partitions are paused. */
        public Options withMaxInFlight(int maxInFlight) {
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight < 1: " + maxInFlight);
            }
            Options copy = copy();
            copy.maxInFlight = maxInFlight;
            return copy;
        }

        /** How often handled offsets are committed (asynchronously). */
        public Options withCommitInterval(Duration commitInterval) {
            Options copy = copy();
            copy.commitInterval = Configs.positive(commitInterval, "commitInterval");
            return copy;
        }

        /** How long one {@code poll} waits for records. Bounds how late completions are committed, too. */
        public Options withPollTimeout(Duration pollTimeout) {
            Options copy = copy();
            copy.pollTimeout = Configs.positive(pollTimeout, "pollTimeout");
            return copy;
        }

        /** How long a revocation waits for the revoked partitions' records in flight before committing. */
        public Options withRevokeTimeout(Duration revokeTimeout) {
            Options copy = copy();
            copy.revokeTimeout = Configs.positive(revokeTimeout, "revokeTimeout");
            return copy;
        }

        /** How long {@code stop()} waits for the records in flight before its last commit. */
        public Options withStopTimeout(Duration stopTimeout) {
            Options copy = copy();
            copy.stopTimeout = Configs.positive(stopTimeout, "stopTimeout");
            return copy;
        }

        /** The timeout of synchronous requests: commits on revocation and stop, broker checks, close. */
        public Options withRequestTimeout(Duration requestTimeout) {
            Options copy = copy();
            copy.requestTimeout = Configs.positive(requestTimeout, "requestTimeout");
            return copy;
        }

        /** After this long without records or a successful commit, the source asks the broker for metadata. */
        public Options withBrokerCheckInterval(Duration brokerCheckInterval) {
            Options copy = copy();
            copy.brokerCheckInterval = Configs.positive(brokerCheckInterval, "brokerCheckInterval");
            return copy;
        }

        /** Failures in a row (polls, commits, broker checks) after which the source fails. */
        public Options withExceptionThreshold(int exceptionThreshold) {
            if (exceptionThreshold < 1) {
                throw new IllegalArgumentException("exceptionThreshold < 1: " + exceptionThreshold);
            }
            Options copy = copy();
            copy.exceptionThreshold = exceptionThreshold;
            return copy;
        }

        /**
         * Sends poison records to {@code topic} (their raw key, value and headers, plus {@link #DLT_TOPIC},
         * {@link #DLT_PARTITION}, {@link #DLT_OFFSET} and {@link #DLT_ERROR}) instead of only skipping them. The
         * offset is committed past a poison record once the dead-letter write is acknowledged; a failed write fails
         * the source.
         */
        public Options withDeadLetterTopic(String topic) {
            Objects.requireNonNull(topic, "topic");
            if (topic.isBlank()) {
                throw new IllegalArgumentException("dead-letter topic is blank");
            }
            Options copy = copy();
            copy.deadLetterTopic = topic;
            return copy;
        }

        /** Poison records are skipped (the default): no dead-letter topic. */
        public Options withoutDeadLetterTopic() {
            Options copy = copy();
            copy.deadLetterTopic = null;
            return copy;
        }

        /** The topics to consume. */
        public List<String> topics() {
            return topics;
        }

        /** The maximum number of records in flight. */
        public int maxInFlight() {
            return maxInFlight;
        }

        /** How often offsets are committed. */
        public Duration commitInterval() {
            return commitInterval;
        }

        /** How long a revocation waits for records in flight. */
        public Duration revokeTimeout() {
            return revokeTimeout;
        }

        /** How long {@code stop()} waits for records in flight. */
        public Duration stopTimeout() {
            return stopTimeout;
        }

        /** The quiet time after which the broker is checked. */
        public Duration brokerCheckInterval() {
            return brokerCheckInterval;
        }

        /** Failures in a row that fail the source. */
        public int exceptionThreshold() {
            return exceptionThreshold;
        }

        @Override
        public String toString() {
            return "Options[servers=" + bootstrapServers + ", group=" + groupId + ", topics=" + topics
                    + ", maxInFlight=" + maxInFlight + ", commitInterval=" + commitInterval
                    + ", deadLetterTopic=" + deadLetterTopic + ", config=" + Configs.describe(config) + "]";
        }

        static ObjectMapper defaultMapper() {
            return new ObjectMapper().registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule());
        }
    }
}
