// CPU time the AsyncDispatcher's loop thread spends per event (source -> map -> sum, two listeners, one inline emit),
// read with ThreadMXBean: less sensitive to a busy machine than throughput, which also measures scheduling.
// 12 rounds of 1,000,000 events into a queue that never fills (capacity 2^20); the first 4 rounds are warm-up.
//
//   java -Xms1g -Xmx1g -cp pipeline-bench/target/benchmarks.jar bench/ConsumerCpu.java
//   java -Xms1g -Xmx1g -cp /path/to/other/benchmarks.jar bench/ConsumerCpu.java     # another build
import io.pipeline.core.*;
import java.lang.management.*;
import java.util.*;
import java.util.concurrent.*;

public class ConsumerCpu {
    static final Event<Long> N = Event.of("n", Long.class);
    static final class P extends Processor { P(String n, MessageHandler h) { super(n, h); } }
    static long sink;

    public static void main(String[] a) throws Exception {
        int n = 1_000_000;
        Long[] payloads = new Long[n];
        for (int i = 0; i < n; i++) payloads[i] = (long) i + 1000;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<Double> perEvent = new ArrayList<>();
        for (int round = 0; round < 12; round++) {
            AsyncDispatcher d = AsyncDispatcher.builder().capacity(1 << 20).threadName("loop" + round).build();
            P src = new P("src", d), map = new P("map", d), probe = new P("probe", d);
            src.on(N, x -> map.emit(N, x));
            map.on(N, x -> sink += x);
            CompletableFuture<Thread> t = new CompletableFuture<>();
            probe.on(N, x -> t.complete(Thread.currentThread()));
            probe.emit(N, 0L);
            long id = t.get().getId();
            long cpu0 = mx.getThreadCpuTime(id);
            for (int i = 0; i < n - 1; i++) src.emit(N, payloads[i]);
            src.emitAsync(N, payloads[n - 1]).get();
            long cpu = mx.getThreadCpuTime(id) - cpu0;
            d.close();
            if (round >= 4) perEvent.add(cpu / (double) n);
        }
        Collections.sort(perEvent);
        System.out.printf("consumer CPU ns/event: median %.1f  min %.1f  max %.1f%n",
                perEvent.get(perEvent.size() / 2), perEvent.get(0), perEvent.get(perEvent.size() - 1));
    }
}
