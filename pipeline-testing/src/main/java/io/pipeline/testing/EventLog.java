package io.pipeline.testing;

import io.pipeline.core.Event;
import io.pipeline.core.Processor;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One ordered log of several events — a streaming source's {@code CONNECTED}, {@code MESSAGE},
 * {@code DISCONNECTED} and {@code ERROR}, say — as text entries {@code "<event name> <payload>"}, for asserting
 * the order in which different events happened:
 *
 * <pre>{@code
 * EventLog log = new EventLog()
 *         .record(source, SseSource.CONNECTED)
 *         .record(source, SseSource.MESSAGE, SseSource.Message::data)
 *         .record(source, SseSource.DISCONNECTED)
 *         .record(source, Processor.ERROR, Throwable::getMessage);
 * assertThat(log.await(3, Duration.ofSeconds(10))).containsExactly("connected " + url, "message a", "message b");
 * }</pre>
 *
 * <p>This class is thread-safe. An entry is logged on the thread that runs the listener; entries of events
 * delivered concurrently (several emitting threads under a {@code SyncDispatcher}) are in the order they were
 * logged.
 */
public final class EventLog {
    private final Recording<String> recording = new Recording<>("log entr(ies)");

    /** Creates an empty log. */
    public EventLog() {
    }

    /** Logs every {@code event} of {@code processor} as {@code "<name> <payload>"}. */
    public <T> EventLog record(Processor processor, Event<T> event) {
        return record(processor, event, String::valueOf);
    }

    /** Logs every {@code event} of {@code processor} as {@code "<name> " + format(payload)}. */
    public <T> EventLog record(Processor processor, Event<T> event, Function<? super T, String> format) {
        Objects.requireNonNull(processor, "processor");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(format, "format");
        String prefix = event.name() + " ";
        processor.on(event, payload -> recording.add(prefix + format.apply(payload)));
        return this;
    }

    /** Logs a note of the test's own, to mark a point among the events. */
    public void add(String entry) {
        recording.add(Objects.requireNonNull(entry, "entry"));
    }

    /**
     * Waits until at least {@code count} entries are logged, then returns the first {@code count}.
     *
     * @throws AssertionError naming what was logged if fewer arrived within {@code timeout}
     */
    public List<String> await(int count, Duration timeout) throws InterruptedException {
        return recording.await(count, timeout);
    }

    /**
     * Waits until an entry starting with {@code prefix} is logged, and returns the first such entry.
     *
     * @throws AssertionError naming what was logged if none did within {@code timeout}
     */
    public String awaitStartingWith(String prefix, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(prefix, "prefix");
        return recording.awaitMatch(entry -> entry.startsWith(prefix), timeout, "entry starting with '" + prefix + "'");
    }

    /**
     * Waits until an entry matching {@code condition} is logged, and returns the first such entry.
     *
     * @throws AssertionError naming what was logged if none did within {@code timeout}
     */
    public String awaitMatching(Predicate<String> condition, Duration timeout) throws InterruptedException {
        return recording.awaitMatch(condition, timeout, "matching entry");
    }

    /** Every entry so far, in order. */
    public List<String> entries() {
        return recording.values();
    }

    /** Forgets every entry so far. */
    public void clear() {
        recording.clear();
    }

    @Override
    public String toString() {
        return "EventLog" + recording;
    }
}
