package io.pipeline.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Synchronous contenders: the publishing thread runs the whole chain. One invocation publishes one event and
 * consumes the running sum; the score is events per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SyncThroughput extends ContenderBenchmark {
    @Param({"direct", "syncDispatcher", "syncDispatcherTwoListeners", "syncDispatcherTwoEvents", "syncDispatcherMetricsOff", "syncDispatcherFlow", "syncDispatcherTimed", "rxJava", "reactor", "guavaEventBus"})
    public String contender;

    @Override
    String contender() {
        return contender;
    }

    @Benchmark
    public void events(Blackhole blackhole) {
        long t = clock++;
        pipeline.publish(new Tick(t, 100.0 + (t & 63)));
        blackhole.consume(sink.sum);
    }
}
