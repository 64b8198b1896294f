package io.pipeline.core.adversarial;

import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;

/** A processor with nothing of its own. */
final class Plain extends Processor {
    Plain(String name, MessageHandler handler) {
        super(name, handler);
    }
}
