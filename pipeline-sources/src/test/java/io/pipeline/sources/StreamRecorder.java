package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Event;
import io.pipeline.core.Processor;
import io.pipeline.core.RecoveredFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a streaming source emits, as strings in arrival order, for exact-order assertions. */
final class StreamRecorder {
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    /**
     * Records the connection events of a streaming source and its errors as {@code "connected <url>"},
     * {@code "message <payload>"}, {@code "disconnected <reason>"} and {@code "error <message>"} — for a
     * {@link RecoveredFailure} (which every failure the source recovers from must be) the message of its cause.
     */
    <T> void listenTo(Processor source, Event<String> connected, Event<T> message, Event<String> disconnected) {
        source.on(connected, url -> add("connected " + url));
        source.on(message, payload -> add("message " + payload));
        source.on(disconnected, reason -> add("disconnected " + reason));
        source.on(Processor.ERROR, error -> add(error instanceof RecoveredFailure recovered
                ? "error " + recovered.getCause().getMessage() : "uncaught " + error));
    }

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
    String nextSkipping(String... prefixes) throws InterruptedException {
        String event = next();
        while (startsWithAny(event, prefixes)) {
            event = next();
        }
        return event;
    }

    private static boolean startsWithAny(String event, String... prefixes) {
        for (String prefix : prefixes) {
            if (event.startsWith(prefix)) {
                return true;
            }
        }
        return false;
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
