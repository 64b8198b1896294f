package io.pipeline.bench;

/**
 * One contender, wired: {@link #publish} hands a tick to its source; the chain maps it and feeds the
 * {@link Terminal} it was built with. Not thread-safe: one publishing thread.
 */
interface Pipeline extends AutoCloseable {
    void publish(Tick tick);

    @Override
    void close();
}
