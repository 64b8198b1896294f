package io.pipeline.core;

import java.util.Objects;

/**
 * A listener failed while handling an event. This is the payload of the {@link Processor#ERROR} event emitted
 * when a listener throws or its stage fails; {@link #getCause()} is the original failure.
 */
public final class ListenerException extends RuntimeException {
    private final String processor;
    private final String event;

    /** Creates an exception naming the processor and event whose listener failed. */
    public ListenerException(String processor, String event, Throwable cause) {
        super("listener of event '" + event + "' of processor '" + processor + "' failed: " + cause, cause);
        this.processor = Objects.requireNonNull(processor, "processor");
        this.event = Objects.requireNonNull(event, "event");
    }

    /** The name of the processor that emitted the event. */
    public String processor() {
        return processor;
    }

    /** The name of the event whose listener failed. */
    public String event() {
        return event;
    }
}
