package io.pipeline.bench;

/** What the source emits: a timestamp (nanoseconds; the intended send time in the latency harness) and a price. */
record Tick(long timestamp, double price) {}
