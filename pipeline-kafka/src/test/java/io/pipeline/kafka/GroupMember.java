package io.pipeline.kafka;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.RestartPolicy;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One consumer process of the multi-process tests: a flow of {@code managers} pipelines, each a
 * {@link KafkaSource} in one group whose async listener appends {@code partition offset key value} to the
 * process's output file (with the wall-clock time in microseconds) and then takes {@code handleMicros} of simulated I/O before the record counts as handled.
 * Prints {@code ready} once started; stops gracefully when its standard input closes.
 *
 * <p>Arguments: bootstrap servers, topic, group, output file, handle time in microseconds, managers.
 */
public final class GroupMember {
    private GroupMember() {}

    public static void main(String[] args) throws Exception {
        String servers = args[0];
        String topic = args[1];
        String group = args[2];
        Path out = Path.of(args[3]);
        long handleMicros = Long.parseLong(args[4]);
        int managers = Integer.parseInt(args[5]);
        Output output = new Output(out);
        Flow.Builder builder = Flow.builder()
                .handler(AsyncDispatcher.builder().threadName("member-dispatcher").build())
                .restartPolicy(RestartPolicy.backoff(Duration.ofMillis(100), Duration.ofSeconds(1)));
        for (int i = 0; i < managers; i++) {
            String name = "member-" + i;
            builder.manager(handler -> new Member(name, handler, servers, topic, group, output, handleMicros));
        }
        try (Flow flow = builder.build()) {
            flow.start();
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent closes our standard input
            }
        }
        output.close();
    }

    /** Wall-clock microseconds: comparable across the processes of one machine. */
    static long micros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** Lines appended and flushed one at a time, shared by the process's managers. */
    static final class Output implements AutoCloseable {
        private final BufferedWriter writer;

        Output(Path file) throws IOException {
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }

        synchronized void line(String line) {
            try {
                writer.write(line);
                writer.newLine();
                writer.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public synchronized void close() throws IOException {
            writer.close();
        }
    }

    static final class Member extends Manager {
        Member(String name, MessageHandler handler, String servers, String topic, String group, Output output,
               long handleMicros) {
            super(name, handler);
            KafkaSource<String> source = new KafkaSource<>(processorName("source"), handler, String.class,
                    KafkaSource.Options.defaults()
                            .withBootstrapServers(servers)
                            .withGroupId(group)
                            .withTopics(topic)
                            .withCommitInterval(Duration.ofMillis(50))
                            .withConfig(Map.of(
                                    "session.timeout.ms", 3000,
                                    "heartbeat.interval.ms", 300,
                                    "max.poll.records", 200)));
            Executor io = CompletableFuture.delayedExecutor(handleMicros, TimeUnit.MICROSECONDS);
            source.onAsync(source.records(), record -> {
                output.line(record.partition() + " " + record.offset() + " " + record.key().orElse("-") + " "
                        + record.value() + " " + micros());
                return handleMicros == 0 ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.runAsync(() -> {}, io);
            });
            setSource(source);
        }
    }
}
