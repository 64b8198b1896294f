package io.pipeline.bench;

/** What the processor maps each {@link Tick} to: the same timestamp, the price times 1.01. */
record Priced(long timestamp, double price) {
    static Priced of(Tick tick) {
        return new Priced(tick.timestamp(), tick.price() * 1.01);
    }
}
