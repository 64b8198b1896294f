package io.pipeline.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the throughput benchmarks share: per trial, the chosen contender's pipeline feeding a {@link CountingSink},
 * and a clock for the events' timestamps. Subclasses declare the {@code contender} parameter and the benchmark.
 */
public abstract class ContenderBenchmark {
    CountingSink sink;
    Pipeline pipeline;
    long clock;

    /** The value of the subclass's {@code contender} parameter. */
    abstract String contender();

    @Setup(Level.Trial)
    public void setUp() {
        sink = new CountingSink();
        pipeline = Pipelines.create(contender(), sink);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pipeline.close();
    }
}
