package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a streaming source emits, as strings in arrival order, for exact-order assertions. */
final class StreamRecorder {
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    void add(String event) {
        events.add(event);
    }

    /** The next event, waiting at most 5 s. */
    String next() throws InterruptedException {
        String event = events.poll(5, TimeUnit.SECONDS);
        assertThat(event).as("an event within 5 s").isNotNull();
        return event;
    }

    /**
     * The next event that does not start with {@code prefix}: on a loaded machine a reconnect may itself time out
     * before it gets through.
     */
    String nextSkipping(String prefix) throws InterruptedException {
        String event = next();
        while (event.startsWith(prefix)) {
            event = next();
        }
        return event;
    }

    /** The next {@code count} events. */
    List<String> next(int count) throws InterruptedException {
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            taken.add(next());
        }
        return taken;
    }

    /** Events recorded and not yet taken. */
    List<String> remaining() {
        List<String> rest = new ArrayList<>();
        events.drainTo(rest);
        return rest;
    }
}
