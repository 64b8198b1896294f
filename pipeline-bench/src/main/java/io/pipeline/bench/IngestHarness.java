package io.pipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.SseSource;
import io.pipeline.sources.WebSocketSource;
import io.pipeline.sources.output.Durability;
import io.pipeline.sources.output.JsonLinesOutput;
import io.pipeline.sources.output.OutputOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * Ingest end to end: a loopback server ({@link IngestServer}, in a process of its own) pushes {@code --messages}
 * small JSON messages; the client parses each, maps it to a new record and appends that to a JSON Lines file.
 *
 * <ul>
 *   <li>{@code sseBaseline} / {@code wsBaseline} — the limit, written by hand: OkHttp's {@code EventSource} /
 *       {@code WebSocket} listener parses each message with Jackson into a record, maps it, and writes it with one
 *       Jackson sequence writer to a {@code BufferedWriter} flushed once, at the end; all on OkHttp's reader
 *       thread.
 *   <li>{@code sseDefaults} / {@code wsDefaults} — this library with every setting at its default: a {@link Flow}
 *       on a default {@link AsyncDispatcher} running one {@link Manager}: {@link SseSource} /
 *       {@link WebSocketSource} → a mapping {@link Processor} → {@link JsonLinesOutput} (group commit).
 *   <li>{@code …Strict} — the same with {@link Durability#everyRow()}; {@code …Sync} — the same on a
 *       {@link SyncDispatcher} (everything on OkHttp's reader thread, like the baseline); {@code …NoOutput} —
 *       defaults without the output (the mapper's rows are only counted): what the rest of the pipeline costs.
 * </ul>
 *
 * <p>A run is timed from connecting (starting the flow) to the end of closing it, after the last message's row
 * was handed to the output; closing writes everything. Allocation is summed over the client JVM's threads, from
 * the start to the last row (before closing). Runs are interleaved ({@link Rounds}).
 *
 * <pre>
 * java -cp benchmarks.jar io.pipeline.bench.IngestHarness [--messages 200000] [--rounds 5] [--warmups 2]
 *     [--out FILE.json] [--dir DIRECTORY] [--contenders REGEX]
 * </pre>
 */
public final class IngestHarness {
    /** A message as the server sends it. */
    public record Tick(long seq, String symbol, double price, long volume) {}

    /** What the pipeline writes: the message mapped. */
    public record Priced(long seq, String symbol, double price, long volume, double notional) {
        static Priced of(long seq, String symbol, double price, long volume) {
            double adjusted = price * 1.01;
            return new Priced(seq, symbol, adjusted, volume, adjusted * volume);
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private IngestHarness() {}

    public static void main(String[] args) throws Exception {
        int messages = 200_000;
        int rounds = 5;
        int warmups = 2;
        Path out = null;
        Path dir = null;
        String filter = ".*";
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--messages" -> messages = Integer.parseInt(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--warmups" -> warmups = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                case "--dir" -> dir = Path.of(value);
                case "--contenders" -> filter = value;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path files = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("ingest-harness");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx256m", "-cp", System.getProperty("java.class.path"), IngestServer.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            String sseBase = "http://127.0.0.1:" + lines.readLine().substring("SSE ".length());
            String wsBase = "ws://127.0.0.1:" + lines.readLine().substring("WS ".length());
            List<Rounds.Contender> contenders = new ArrayList<>();
            for (Rounds.Contender c : contenders(sseBase + "/sse?n=" + messages, wsBase + "/ws?n=" + messages,
                    files.resolve("ingest.jsonl"), messages)) {
                if (c.name().matches(filter) || c.name().equals(c.baseline())) {
                    contenders.add(c);
                }
            }
            List<Rounds.Result> results = Rounds.run(contenders, warmups, rounds, System.out);
            Rounds.print(results, "msg", System.out);
            if (out != null) {
                Map<String, Object> settings = new LinkedHashMap<>();
                settings.put("messages", messages);
                settings.put("rounds", rounds);
                settings.put("warmups", warmups);
                settings.put("messageBytes", IngestServer.message(messages / 2).length());
                Rounds.writeJson(results, "IngestHarness", settings, out);
            }
        } finally {
            server.getOutputStream().close();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static List<Rounds.Contender> contenders(String sseUrl, String wsUrl, Path file, int n) {
        OutputOptions strict = OutputOptions.defaults().withDurability(Durability.everyRow());
        OutputOptions defaults = OutputOptions.defaults();
        return List.of(
                new Rounds.Contender("sseBaseline", "sseBaseline", () -> baseline(true, sseUrl, file, n)),
                new Rounds.Contender("sseDefaults", "sseBaseline",
                        () -> library(true, sseUrl, file, n, AsyncDispatcher::new, defaults)),
                new Rounds.Contender("sseStrict", "sseBaseline",
                        () -> library(true, sseUrl, file, n, AsyncDispatcher::new, strict)),
                new Rounds.Contender("sseSync", "sseBaseline",
                        () -> library(true, sseUrl, file, n, SyncDispatcher::new, defaults)),
                new Rounds.Contender("sseNoOutput", "sseBaseline",
                        () -> library(true, sseUrl, file, n, AsyncDispatcher::new, null)),
                new Rounds.Contender("wsBaseline", "wsBaseline", () -> baseline(false, wsUrl, file, n)),
                new Rounds.Contender("wsDefaults", "wsBaseline",
                        () -> library(false, wsUrl, file, n, AsyncDispatcher::new, defaults)),
                new Rounds.Contender("wsStrict", "wsBaseline",
                        () -> library(false, wsUrl, file, n, AsyncDispatcher::new, strict)),
                new Rounds.Contender("wsSync", "wsBaseline",
                        () -> library(false, wsUrl, file, n, SyncDispatcher::new, defaults)),
                new Rounds.Contender("wsNoOutput", "wsBaseline",
                        () -> library(false, wsUrl, file, n, AsyncDispatcher::new, null)));
    }

    /** The mapping processor: a message in, a {@link Priced} out. */
    static final class Mapper extends Processor {
        static final Event<Priced> PRICED = Event.of("priced", Priced.class);

        Mapper(String name, MessageHandler handler) {
            super(name, handler);
        }

        void sse(SseSource.Message message) {
            Tick tick;
            try {
                tick = MAPPER.readValue(message.data(), Tick.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            emit(PRICED, Priced.of(tick.seq(), tick.symbol(), tick.price(), tick.volume()));
        }

        void json(JsonNode node) {
            emit(PRICED, Priced.of(node.get("seq").asLong(), node.get("symbol").asText(),
                    node.get("price").asDouble(), node.get("volume").asLong()));
        }
    }

    /** The pipeline, wired as a user would: source → mapper → output; plus a count to know when it is done. */
    static final class IngestManager extends Manager {
        private long rows;

        IngestManager(MessageHandler handler, boolean sse, String url, Path file, OutputOptions options, int n,
                CompletableFuture<Void> done) {
            super("ingest", handler);
            JsonLinesOutput<Priced> output = options == null ? null
                    : closeOnStop(new JsonLinesOutput<>(processorName("output"), handler, file, options));
            Mapper mapper = new Mapper(processorName("mapper"), handler);
            mapper.on(Mapper.PRICED, priced -> {
                if (output != null) {
                    output.write(priced);
                }
                if (++rows == n) {
                    done.complete(null);
                }
            });
            if (sse) {
                SseSource source = new SseSource(processorName("source"), handler, url, SseSource.Options.defaults());
                source.on(SseSource.MESSAGE, mapper::sse);
                setSource(source);
            } else {
                WebSocketSource source = new WebSocketSource(processorName("source"), handler, url,
                        WebSocketSource.Options.defaults());
                source.on(WebSocketSource.MESSAGE, mapper::json);
                setSource(source);
            }
        }

        @Override
        public boolean shouldRestart() {
            return false;
        }
    }

    private static Rounds.Measurement library(boolean sse, String url, Path file, int n,
            Supplier<MessageHandler> handler, OutputOptions options) throws Exception {
        Files.deleteIfExists(file);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Allocations before = Allocations.snapshot();
        long start = System.nanoTime();
        long allocated;
        try (Flow flow = Flow.builder()
                .handler(handler.get())
                .manager(h -> new IngestManager(h, sse, url, file, options, n, done))
                .restartPolicy(RestartPolicy.never())
                .build()) {
            flow.start();
            done.get(120, TimeUnit.SECONDS);
            allocated = Allocations.snapshot().since(before);
        }
        long nanos = System.nanoTime() - start;
        if (options != null) {
            check(file, n);
        }
        return new Rounds.Measurement(n, nanos, allocated);
    }

    private static Rounds.Measurement baseline(boolean sse, String url, Path file, int n) throws Exception {
        Files.deleteIfExists(file);
        CompletableFuture<Void> done = new CompletableFuture<>();
        OkHttpClient client = new OkHttpClient();
        Allocations before = Allocations.snapshot();
        long start = System.nanoTime();
        Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        SequenceWriter rows = MAPPER.writerFor(Priced.class).withRootValueSeparator("\n")
                .without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE).writeValues(writer);
        Counter counter = new Counter(rows, n, done);
        Request request = new Request.Builder().url(url).build();
        Runnable cancel;
        if (sse) {
            EventSource source = EventSources.createFactory(client).newEventSource(request, new EventSourceListener() {
                @Override
                public void onEvent(EventSource eventSource, String id, String type, String data) {
                    counter.accept(data);
                }

                @Override
                public void onFailure(EventSource eventSource, Throwable t, Response response) {
                    done.completeExceptionally(t != null ? t : new IOException("HTTP " + response.code()));
                }
            });
            cancel = source::cancel;
        } else {
            WebSocket socket = client.newWebSocket(request, new WebSocketListener() {
                @Override
                public void onMessage(WebSocket webSocket, String text) {
                    counter.accept(text);
                }

                @Override
                public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                    done.completeExceptionally(t);
                }
            });
            cancel = socket::cancel;
        }
        long allocated;
        try {
            done.get(120, TimeUnit.SECONDS);
            allocated = Allocations.snapshot().since(before);
        } finally {
            cancel.run();
            rows.close();
        }
        long nanos = System.nanoTime() - start;
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        Files.writeString(file, "\n", java.nio.file.StandardOpenOption.APPEND); // end the last line
        check(file, n);
        return new Rounds.Measurement(n, nanos, allocated);
    }

    /** The hand-written pipeline's listener body: parse, map, write, count. Runs on OkHttp's reader thread. */
    private static final class Counter {
        private final SequenceWriter rows;
        private final int n;
        private final CompletableFuture<Void> done;
        private long count;

        Counter(SequenceWriter rows, int n, CompletableFuture<Void> done) {
            this.rows = rows;
            this.n = n;
            this.done = done;
        }

        void accept(String json) {
            try {
                Tick tick = MAPPER.readValue(json, Tick.class);
                rows.write(Priced.of(tick.seq(), tick.symbol(), tick.price(), tick.volume()));
            } catch (IOException e) {
                done.completeExceptionally(e);
                return;
            }
            if (++count == n) {
                done.complete(null);
            }
        }
    }

    /** Every message made a line; the last one is the last message. */
    private static void check(Path file, int n) throws IOException {
        long lines;
        try (var stream = Files.lines(file)) {
            lines = stream.count();
        }
        if (lines != n) {
            throw new IllegalStateException(file + " has " + lines + " lines, not " + n);
        }
        Files.delete(file);
    }
}
