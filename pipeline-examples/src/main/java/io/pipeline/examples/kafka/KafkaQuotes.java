package io.pipeline.examples.kafka;

import io.pipeline.examples.stock.Console;
import io.pipeline.examples.stock.Durations;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of the split stock ticker: {@code kafka-quotes poller …} runs the poller,
 * {@code kafka-quotes writer …} a writer. Each runs until Ctrl-C (or {@code --duration}), then stops gracefully:
 * the poller flushes every quote to the broker, a writer commits what it wrote and leaves the group.
 *
 * <pre>
 * java -jar pipeline-examples/target/kafka-quotes.jar poller --symbol AAPL,MSFT,GOOG --interval 1s
 * java -jar pipeline-examples/target/kafka-quotes.jar writer --out writer-1.csv
 * </pre>
 */
@Command(name = "kafka-quotes", mixinStandardHelpOptions = true, version = "kafka-quotes 0.1.0",
        description = "The stock ticker split in two over Kafka: a poller writing quotes to a topic keyed by "
                + "symbol, and writers sharing the topic's partitions in one consumer group.",
        subcommands = {KafkaQuotes.Poller.class, KafkaQuotes.Writer.class})
public final class KafkaQuotes {
    private KafkaQuotes() {}

    /** Runs a subcommand; exits with its exit code. */
    public static void main(String[] args) {
        System.exit(execute(System.out, System.err, true, args));
    }

    /** Runs a subcommand in this JVM and returns its exit code; installs no shutdown hook. */
    public static int run(String... args) {
        return execute(System.out, System.err, false, args);
    }

    static int execute(PrintStream out, PrintStream err, boolean handleSignals, String... args) {
        CommandLine commandLine = new CommandLine(new KafkaQuotes(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                if (type == Poller.class) {
                    return type.cast(new Poller(out, handleSignals));
                }
                if (type == Writer.class) {
                    return type.cast(new Writer(out, handleSignals));
                }
                return CommandLine.defaultFactory().create(type);
            }
        });
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    /** Options both processes take. */
    abstract static class Common implements Callable<Integer> {
        @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT", defaultValue = "localhost:9092",
                description = "The Kafka brokers (default: ${DEFAULT-VALUE}).")
        String bootstrapServers;

        @Option(names = {"-t", "--topic"}, paramLabel = "TOPIC", defaultValue = "quotes",
                description = "The topic (default: ${DEFAULT-VALUE}).")
        String topic;

        @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", converter = Durations.class,
                description = "Stop after this long (e.g. 30s); default: until Ctrl-C.")
        Duration duration;

        final PrintStream stdout;
        final boolean handleSignals;

        Common(PrintStream stdout, boolean handleSignals) {
            this.stdout = stdout;
            this.handleSignals = handleSignals;
        }

        Console console() {
            return new Console(line -> {
                stdout.println(line);
                stdout.flush();
            }, Clock.systemUTC());
        }

        /** Runs {@code process} until Ctrl-C or the duration, then closes it. */
        int runUntilStopped(AutoCloseable process) throws Exception {
            CountDownLatch stop = new CountDownLatch(1);
            Thread hook = null;
            if (handleSignals) {
                hook = new Thread(() -> {
                    try {
                        process.close();
                    } catch (Exception e) {
                        Runtime.getRuntime().halt(1);
                    }
                    stdout.flush();
                    Runtime.getRuntime().halt(0);
                }, "kafka-quotes-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
            }
            try {
                if (duration == null) {
                    stop.await();
                } else {
                    stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                process.close();
                if (hook != null) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook is running and ends the JVM
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "poller", mixinStandardHelpOptions = true,
            description = "Polls quotes (the embedded simulated server unless --url) and writes them to the topic, "
                    + "keyed by symbol; creates the topic if it does not exist.")
    static final class Poller extends Common {
        @Option(names = {"-s", "--symbol"}, split = ",", paramLabel = "SYMBOL",
                defaultValue = "AAPL,MSFT,GOOG,AMZN,NVDA,META", description = "Symbols (default: ${DEFAULT-VALUE}).")
        List<String> symbols;

        @Option(names = {"-i", "--interval"}, paramLabel = "DURATION", converter = Durations.class,
                defaultValue = "2s", description = "Poll interval per symbol (default: ${DEFAULT-VALUE}).")
        Duration interval;

        @Option(names = {"-p", "--partitions"}, paramLabel = "N", defaultValue = "6",
                description = "Partitions of the topic when it is created (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--url", paramLabel = "BASE",
                description = "Poll this server (Yahoo v8 chart format) instead of the embedded one.")
        String url;

        Poller(PrintStream stdout, boolean handleSignals) {
            super(stdout, handleSignals);
        }

        @Override
        public Integer call() throws Exception {
            if (partitions < 1) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--partitions < 1: " + partitions);
            }
            List<String> upper = symbols.stream().map(s -> s.trim().toUpperCase(java.util.Locale.ROOT)).toList();
            QuotePoller poller;
            try {
                poller = QuotePoller.start(new QuotePoller.Config(bootstrapServers, topic, partitions, upper,
                        interval, url), console());
            } catch (RuntimeException e) {
                System.err.println("kafka-quotes poller: cannot start: " + e.getMessage());
                return 1;
            }
            return runUntilStopped(poller);
        }
    }

    @Command(name = "writer", mixinStandardHelpOptions = true,
            description = "Reads the topic in the writers' consumer group and appends the quotes of its partitions "
                    + "to a CSV file.")
    static final class Writer extends Common {
        @Option(names = {"-g", "--group"}, paramLabel = "GROUP", defaultValue = "quote-writers",
                description = "The consumer group (default: ${DEFAULT-VALUE}).")
        String group;

        @Option(names = {"-o", "--out"}, paramLabel = "FILE", required = true,
                description = "The CSV file to append to (one per writer).")
        Path out;

        Writer(PrintStream stdout, boolean handleSignals) {
            super(stdout, handleSignals);
        }

        @Override
        public Integer call() throws Exception {
            return runUntilStopped(QuoteWriter.start(new QuoteWriter.Config(bootstrapServers, topic, group, out),
                    console()));
        }
    }
}
