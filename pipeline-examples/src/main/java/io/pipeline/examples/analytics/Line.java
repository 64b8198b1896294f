package io.pipeline.examples.analytics;

/** One line of output: what it is ({@code stats}, {@code anomaly}, {@code alert}) and its record. */
public record Line(String kind, Object data) {}
