package io.pipeline.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Asynchronous contenders: the benchmark thread publishes {@value #BATCH} events, which a consumer thread maps and
 * sums; the invocation ends when the sink has seen all of them. The score is events per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AsyncThroughput extends ContenderBenchmark {
    static final int BATCH = 100_000;

    @Param({"asyncDispatcher", "asyncDispatcherFlow", "asyncDispatcherMetricsOff", "rxJavaObserveOn", "reactorPublishOn", "disruptorYielding", "disruptorBlocking",
            "arrayBlockingQueue", "guavaAsyncEventBus"})
    public String contender;

    @Override
    String contender() {
        return contender;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void events(Blackhole blackhole) {
        sink.expect(BATCH);
        long t = clock;
        for (int i = 0; i < BATCH; i++) {
            pipeline.publish(new Tick(t + i, 100.0 + (i & 63)));
        }
        clock = t + BATCH;
        sink.await();
        blackhole.consume(sink.sum);
    }
}
