package io.pipeline.operators;

/** Which way a {@link Trend} goes. */
public enum Direction { RISING, FALLING, FLAT }
