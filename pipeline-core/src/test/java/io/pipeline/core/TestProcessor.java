package io.pipeline.core;

/** A processor with nothing of its own, for wiring tests. */
final class TestProcessor extends Processor {
    TestProcessor(String name, MessageHandler handler) {
        super(name, handler);
    }
}
