package io.pipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.RestartPolicy;
import io.pipeline.sources.RestSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.HdrHistogram.Histogram;

/**
 * Many pipelines in one JVM: {@code N} {@code RestSource} managers in one {@link Flow} poll a loopback HTTP server
 * every second (each manager: source → a mapping processor → a sink), for N = 1, 100, 1,000 and 10,000. Measured
 * over a window after a warm-up: the share of expected polls that arrived, the delay of each row against its
 * source's fixed-rate schedule (p50/p99/max), live threads, heap per pipeline, and per poll: CPU, allocation and
 * context switches.
 *
 * <p>The server ({@link PollServer}) runs in a process of its own, started here and shared by every run of this
 * JVM, so that its CPU is not the client's: one NIO thread answering every request with one fixed keep-alive
 * response ({@code --server nio}, the default), or the JDK {@code HttpServer} on its one dispatcher thread
 * ({@code --server jdk}).
 *
 * <p>The baseline in the same run, {@code plainOkHttp}, is the hand-written equivalent without the library: one
 * scheduler thread, fixed-rate timers with spread phases, async OkHttp calls on a client whose per-host limit is
 * raised (to the library's 64) and a pool of 64 idle connections, Jackson parsing, a counter. Ratios are against
 * it.
 *
 * <p>Poll delay: a source's rows are expected at {@code first + k × interval} ({@code first} being its first row in
 * the run); the delay of a row is how much later than that it arrived. It includes the poll's own round trip and
 * any wait in the scheduler, OkHttp's dispatcher, the {@code AsyncDispatcher} queue and the listener. Per poll,
 * over the window, divided by the polls that arrived in it: the client process's CPU time (JIT and GC included);
 * the CPU time of its Java threads, in all and by thread name (digits folded; OkHttp renames a dispatcher thread
 * to {@code OkHttp <url>} while it runs a call); the server process's CPU time; the bytes the client's threads
 * allocated; the context switches of the client's threads (Linux only).
 *
 * <pre>
 * java -cp benchmarks.jar io.pipeline.bench.ManyPipelinesHarness [--sizes 1,100,1000,10000] [--warmup 5]
 *     [--measure 20] [--contenders restSource,plainOkHttp] [--server nio|jdk] [--plain-call-timeout SECONDS]
 *     [--out FILE]
 * </pre>
 */
public final class ManyPipelinesHarness {
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final byte[] BODY = "{\"symbol\":\"SIM\",\"price\":101.25,\"volume\":1200}".getBytes(StandardCharsets.UTF_8);
    static final Event<Row> ROW = Event.of("row", Row.class);

    private ManyPipelinesHarness() {}

    /** One mapped row: which source, and the price. */
    record Row(int source, double price) {}

    /** One measured run. */
    record Result(String contender, int size, long expectedPolls, long polls, double p50Millis, double p99Millis,
            double maxMillis, int threadsBefore, int threads, double heapKibPerPipeline, double cpuMicrosPerPoll,
            double threadCpuMicrosPerPoll, double serverCpuMicrosPerPoll, double allocatedBytesPerPoll,
            Map<String, Double> threadCpuMicrosPerPollByName, double contextSwitchesPerPoll, long failures) {
        double pollShare() {
            return expectedPolls == 0 ? 0 : (double) polls / expectedPolls;
        }
    }

    /**
     * Counts rows and records their arrival times per source; {@link #delays()} then measures each row against its
     * source's schedule. Thread-safe.
     */
    static final class Recorder {
        private final long[][] arrivals;
        private final int[] counts;
        private final long interval = INTERVAL.toNanos();
        private volatile long windowStart = Long.MAX_VALUE;
        private volatile long windowEnd = Long.MAX_VALUE;
        private long polls;

        Recorder(int size, int measureSeconds) {
            arrivals = new long[size][(int) (measureSeconds * 1_000_000_000L / interval) + 4];
            counts = new int[size];
        }

        synchronized void row(int source, long now) {
            if (now < windowStart || now >= windowEnd) {
                return;
            }
            polls++;
            if (counts[source] < arrivals[source].length) {
                arrivals[source][counts[source]++] = now;
            }
        }

        void window(long start, long end) {
            windowStart = start;
            windowEnd = end;
        }

        synchronized long polls() {
            return polls;
        }

        /**
         * The delay of every row in the window against its source's schedule: each row's phase within the interval
         * (centred on the source's median phase, so a cluster near the wrap point stays together), less the
         * earliest phase of that source. A source polling exactly on schedule shows 0 for every row; a row that
         * waited in a queue shows the wait. A delay of a whole interval or more shows as a missed poll instead.
         */
        synchronized Histogram delays() {
            Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
            for (int s = 0; s < counts.length; s++) {
                int n = counts[s];
                if (n == 0) {
                    continue;
                }
                long[] phases = new long[n];
                for (int i = 0; i < n; i++) {
                    phases[i] = Math.floorMod(arrivals[s][i] - windowStart, interval);
                }
                long[] sorted = phases.clone();
                Arrays.sort(sorted);
                long median = sorted[n / 2];
                long min = Long.MAX_VALUE;
                long[] centred = new long[n];
                for (int i = 0; i < n; i++) {
                    centred[i] = Math.floorMod(phases[i] - median + interval / 2, interval) - interval / 2;
                    min = Math.min(min, centred[i]);
                }
                for (int i = 0; i < n; i++) {
                    histogram.recordValue(centred[i] - min);
                }
            }
            return histogram;
        }
    }

    /** The mapping processor: extracts the price from a poll. */
    static final class ExtractPrice extends Processor {
        private final int source;

        ExtractPrice(String name, MessageHandler handler, int source) {
            super(name, handler);
            this.source = source;
        }

        void handle(RestSource.Poll poll) {
            emit(ROW, new Row(source, poll.body().path("price").asDouble()));
        }
    }

    /** One pipeline: a RestSource polling every second, first polls spread over the interval. */
    static final class PollManager extends Manager {
        PollManager(MessageHandler handler, int index, String url, Recorder recorder) {
            super("poller-" + index, handler);
            RestSource source = new RestSource(processorName("source"), handler, url, RestSource.Options.defaults()
                    .withRequestInterval(INTERVAL).withStartSpread(INTERVAL).withExceptionThreshold(1_000_000));
            ExtractPrice extract = new ExtractPrice(processorName("extract"), handler, index);
            source.on(RestSource.DATA, extract::handle);
            extract.on(ROW, row -> recorder.row(row.source(), System.nanoTime()));
            setSource(source);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        int[] sizes = Arrays.stream(options.getOrDefault("sizes", "1,100,1000,10000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "5"));
        int measure = Integer.parseInt(options.getOrDefault("measure", "20"));
        List<String> contenders = List.of(options.getOrDefault("contenders", "plainOkHttp,restSource").split(","));
        String serverKind = options.getOrDefault("server", "nio");
        // Diagnostic: the library sets a call timeout (30 s by default), the hand-written baseline none.
        Duration plainCallTimeout = Duration.ofSeconds(Long.parseLong(options.getOrDefault("plain-call-timeout", "0")));
        List<Result> results = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(serverKind)) {
            String url = "http://127.0.0.1:" + server.port() + "/quote";
            for (int size : sizes) {
                for (String contender : contenders) {
                    Result result = run(contender, size, url, server, plainCallTimeout, warmup, measure);
                    results.add(result);
                    System.out.println(format(result));
                }
            }
        }
        String out = options.get("out");
        if (out != null) {
            Files.writeString(Path.of(out), toJson(results, serverKind, warmup, measure));
        }
    }

    /** {@link PollServer} in a process of its own: its CPU is measured apart from the client's. */
    record ServerProcess(Process process, int port) implements AutoCloseable {
        static ServerProcess start(String kind) throws IOException {
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xms256m", "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    PollServer.class.getName(), kind).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = lines.readLine();
            if (line == null || !line.startsWith("PORT ")) {
                process.destroyForcibly();
                throw new IOException("poll server did not start: " + line);
            }
            return new ServerProcess(process, Integer.parseInt(line.substring(5).trim()));
        }

        /** The server process's CPU time so far, or -1 if the OS does not tell. */
        long cpuNanos() {
            return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
        }

        @Override
        public void close() throws InterruptedException, IOException {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    static Result run(String contender, int size, String url, ServerProcess server, Duration plainCallTimeout,
            int warmupSeconds, int measureSeconds) throws Exception {
        ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
        int threadsBefore = threadBean.getThreadCount();
        long heapBefore = usedHeapAfterGc();
        Recorder recorder = new Recorder(size, measureSeconds);
        AtomicLong failures = new AtomicLong();
        AutoCloseable running = switch (contender) {
            case "restSource" -> startFlow(size, url, recorder, failures);
            case "plainOkHttp" -> startPlain(size, url, plainCallTimeout, recorder, failures);
            default -> throw new IllegalArgumentException("unknown contender: " + contender);
        };
        try {
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
            long heapAfter = usedHeapAfterGc();
            long start = System.nanoTime();
            recorder.window(start, start + TimeUnit.SECONDS.toNanos(measureSeconds));
            long cpuStart = processCpuNanos();
            long serverCpuStart = server.cpuNanos();
            long switchesStart = contextSwitches();
            Map<Long, ThreadCost> threadsStart = threadCosts(threadBean);
            Thread.sleep(TimeUnit.SECONDS.toMillis(measureSeconds));
            long cpu = processCpuNanos() - cpuStart;
            long serverCpu = server.cpuNanos() - serverCpuStart;
            long switches = contextSwitches() - switchesStart;
            Map<String, long[]> byGroup = delta(threadsStart, threadCosts(threadBean));
            int threads = threadBean.getThreadCount();
            System.out.println("threads of " + contender + " N=" + size + ": " + threadsByName());
            long polls = recorder.polls();
            long expected = (long) size * measureSeconds * 1_000_000_000L / INTERVAL.toNanos();
            Histogram h = recorder.delays();
            long threadCpu = 0;
            long allocated = 0;
            Map<String, Double> cpuByGroup = new java.util.TreeMap<>();
            for (var entry : byGroup.entrySet()) {
                threadCpu += entry.getValue()[0];
                allocated += entry.getValue()[1];
                cpuByGroup.put(entry.getKey(), perPoll(entry.getValue()[0] / 1e3, polls));
            }
            cpuByGroup.values().removeIf(micros -> micros < 0.5);
            return new Result(contender, size, expected, polls, h.getValueAtPercentile(50) / 1e6,
                    h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6, threadsBefore, threads,
                    (heapAfter - heapBefore) / 1024.0 / size, perPoll(cpu / 1e3, polls),
                    perPoll(threadCpu / 1e3, polls), serverCpu < 0 ? -1 : perPoll(serverCpu / 1e3, polls),
                    perPoll(allocated, polls), cpuByGroup, switchesStart < 0 ? -1 : perPoll(switches, polls),
                    failures.get());
        } finally {
            running.close();
        }
    }

    /**
     * The context switches of this process's threads so far (voluntary and not, from {@code /proc/self/task}), or
     * -1 where there is no such file: each wake-up of a parked thread is one, and costs system time the thread CPU
     * figures include only in part. Threads that ended take their count with them.
     */
    static long contextSwitches() {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return -1;
        }
        long sum = 0;
        try (var threads = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) threads::iterator) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.endsWith("ctxt_switches:") || !line.contains("ctxt_switches:")) {
                            continue;
                        }
                        sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                } catch (IOException ended) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return sum;
    }

    private static double perPoll(double total, long polls) {
        return polls == 0 ? 0 : total / polls;
    }

    private static AutoCloseable startFlow(int size, String url, Recorder recorder, AtomicLong failures) {
        Flow.Builder builder = Flow.builder().handler(new AsyncDispatcher())
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofSeconds(10)))
                .errorReporter(error -> failures.incrementAndGet());
        for (int i = 0; i < size; i++) {
            int index = i;
            builder.manager(handler -> new PollManager(handler, index, url, recorder));
        }
        Flow flow = builder.build();
        flow.start();
        return flow;
    }

    /** The baseline: what one would write by hand with OkHttp and Jackson, without the library. */
    private static AutoCloseable startPlain(int size, String url, Duration callTimeout, Recorder recorder,
            AtomicLong failures) {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(64);
        dispatcher.setMaxRequestsPerHost(64);
        OkHttpClient client = new OkHttpClient.Builder().dispatcher(dispatcher)
                .connectionPool(new okhttp3.ConnectionPool(64, 5, TimeUnit.MINUTES)).callTimeout(callTimeout)
                .build();
        ObjectMapper mapper = new ObjectMapper();
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        Request request = new Request.Builder().url(url).header("Accept", "application/json").build();
        Random random = new Random(1);
        long interval = INTERVAL.toNanos();
        for (int i = 0; i < size; i++) {
            int index = i;
            AtomicInteger inFlight = new AtomicInteger();
            timer.scheduleAtFixedRate(() -> {
                if (!inFlight.compareAndSet(0, 1)) {
                    return; // never two polls of one source at once
                }
                client.newCall(request).enqueue(new Callback() {
                    @Override
                    public void onResponse(Call call, Response response) {
                        try (response) {
                            JsonNode body = mapper.readTree(response.body().bytes());
                            if (body.path("price").isNumber()) {
                                recorder.row(index, System.nanoTime());
                            }
                        } catch (IOException e) {
                            failures.incrementAndGet();
                        } finally {
                            inFlight.set(0);
                        }
                    }

                    @Override
                    public void onFailure(Call call, IOException e) {
                        failures.incrementAndGet();
                        inFlight.set(0);
                    }
                });
            }, (long) (random.nextDouble() * interval), interval, TimeUnit.NANOSECONDS);
        }
        return () -> {
            timer.shutdownNow();
            timer.awaitTermination(5, TimeUnit.SECONDS);
            client.dispatcher().cancelAll();
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        };
    }

    /** Live threads by name, digits folded: where the threads are. */
    static Map<String, Integer> threadsByName() {
        Map<String, Integer> byName = new java.util.TreeMap<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            byName.merge(thread.getName().replaceAll("[0-9]+", "N"), 1, Integer::sum);
        }
        return byName;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** One thread's name (digits folded), CPU time and bytes allocated so far. */
    private record ThreadCost(String name, long cpuNanos, long allocatedBytes) {}

    private static Map<Long, ThreadCost> threadCosts(ThreadMXBean bean) {
        com.sun.management.ThreadMXBean sun = (com.sun.management.ThreadMXBean) bean;
        Map<Long, ThreadCost> costs = new HashMap<>();
        for (var info : bean.getThreadInfo(bean.getAllThreadIds())) {
            if (info != null) {
                long cpu = bean.getThreadCpuTime(info.getThreadId());
                long allocated = sun.getThreadAllocatedBytes(info.getThreadId());
                if (cpu >= 0) {
                    costs.put(info.getThreadId(), new ThreadCost(info.getThreadName().replaceAll("[0-9]+", "N"), cpu,
                            Math.max(0, allocated)));
                }
            }
        }
        return costs;
    }

    /** CPU and allocation of each thread group (by folded name) between two looks: {cpu nanos, bytes}. */
    private static Map<String, long[]> delta(Map<Long, ThreadCost> before, Map<Long, ThreadCost> after) {
        Map<String, long[]> byName = new HashMap<>();
        for (var entry : after.entrySet()) {
            ThreadCost now = entry.getValue();
            ThreadCost then = before.get(entry.getKey());
            long[] sum = byName.computeIfAbsent(now.name(), k -> new long[2]);
            sum[0] += now.cpuNanos() - (then == null ? 0 : then.cpuNanos());
            sum[1] += now.allocatedBytes() - (then == null ? 0 : then.allocatedBytes());
        }
        return byName;
    }

    static String format(Result r) {
        return String.format(Locale.ROOT,
                "%-12s N=%-6d polls %7d/%-7d (%6.2f%%)  delay p50 %7.1f ms p99 %7.1f ms max %7.1f ms  threads %3d"
                        + " (before %d)  heap %6.2f KiB/pipeline  cpu/poll: client process %6.1f us, its threads"
                        + " %6.1f us, server process %6.1f us  alloc %6.0f B/poll  context switches %4.1f/poll"
                        + "  failures %d%n    client threads,"
                        + " us/poll: %s",
                r.contender(), r.size(), r.polls(), r.expectedPolls(), 100 * r.pollShare(), r.p50Millis(),
                r.p99Millis(), r.maxMillis(), r.threads(), r.threadsBefore(), r.heapKibPerPipeline(),
                r.cpuMicrosPerPoll(), r.threadCpuMicrosPerPoll(), r.serverCpuMicrosPerPoll(),
                r.allocatedBytesPerPoll(), r.contextSwitchesPerPoll(), r.failures(),
                byName(r.threadCpuMicrosPerPollByName(), " ", "=", "%.1f"));
    }

    private static String byName(Map<String, Double> values, String separator, String equals, String number) {
        StringBuilder text = new StringBuilder();
        for (var entry : values.entrySet()) {
            text.append(text.length() == 0 ? "" : separator).append(equals.equals("=") ? entry.getKey()
                    : "\"" + entry.getKey() + "\"").append(equals).append(String.format(Locale.ROOT, number,
                    entry.getValue()));
        }
        return text.toString();
    }

    private static String toJson(List<Result> results, String server, int warmup, int measure) {
        StringBuilder json = new StringBuilder("{\"server\":\"" + server + "\",\"warmupSeconds\":" + warmup
                + ",\"measureSeconds\":" + measure + ",\"intervalMillis\":" + INTERVAL.toMillis()
                + ",\"results\":[\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            json.append(String.format(Locale.ROOT,
                    "{\"contender\":\"%s\",\"size\":%d,\"expectedPolls\":%d,\"polls\":%d,\"pollShare\":%.4f,"
                            + "\"p50Millis\":%.3f,\"p99Millis\":%.3f,\"maxMillis\":%.3f,\"threadsBefore\":%d,"
                            + "\"threads\":%d,\"heapKibPerPipeline\":%.3f,\"cpuMicrosPerPoll\":%.2f,"
                            + "\"threadCpuMicrosPerPoll\":%.2f,\"serverCpuMicrosPerPoll\":%.2f,"
                            + "\"allocatedBytesPerPoll\":%.0f,\"contextSwitchesPerPoll\":%.2f,"
                            + "\"threadCpuMicrosPerPollByName\":{%s},"
                            + "\"failures\":%d}%s%n",
                    r.contender(), r.size(), r.expectedPolls(), r.polls(), r.pollShare(), r.p50Millis(),
                    r.p99Millis(), r.maxMillis(), r.threadsBefore(), r.threads(), r.heapKibPerPipeline(),
                    r.cpuMicrosPerPoll(), r.threadCpuMicrosPerPoll(), r.serverCpuMicrosPerPoll(),
                    r.allocatedBytesPerPoll(), r.contextSwitchesPerPoll(),
                    byName(r.threadCpuMicrosPerPollByName(), ",", ":", "%.2f"),
                    r.failures(), i + 1 < results.size() ? "," : ""));
        }
        return json.append("]}\n").toString();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got: " + args[i]);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
