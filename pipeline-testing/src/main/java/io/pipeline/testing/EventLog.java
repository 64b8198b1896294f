package io.pipeline.testing;

import io.pipeline.core.Event;
import io.pipeline.core.Processor;
import io.pipeline.core.RecoveredFailure;
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
 * <h2>Reading it in order</h2>
 * Besides the {@code await…} methods, which look at the log from its start, a test may read the log as a stream:
 * {@link #next(Duration)} takes the first entry not yet taken, waiting for it, and {@link #rest()} takes what is
 * left — the way to follow a source through connect, drop and reconnect step by step:
 *
 * <pre>{@code
 * EventLog log = new EventLog().record(source, SseSource.CONNECTED).recordErrors(source);
 * assertThat(log.next(Duration.ofSeconds(10))).isEqualTo("connected " + url);
 * assertThat(log.next(Duration.ofSeconds(10))).startsWith("error stream ended by server");
 * }</pre>
 *
 * <p>This class is thread-safe. An entry is logged on the thread that runs the listener; entries of events
 * delivered concurrently (several emitting threads under a {@code SyncDispatcher}) are in the order they were
 * logged. The read position is shared: entries taken by one thread are not taken again by another.
 */
public final class EventLog {
    private final Recording<String> recording = new Recording<>("log entr(ies)");
    private int taken; // guarded by this: how many entries next…/rest() have taken

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

    /**
     * Logs every {@link Processor#ERROR} of {@code processor}: a {@link RecoveredFailure} — a failure the source
     * rode out, as the connectors report those — as {@code "error " + cause message}, anything else as
     * {@code "uncaught " + error}, so a test sees at once an error the source did not expect.
     */
    public EventLog recordErrors(Processor processor) {
        Objects.requireNonNull(processor, "processor");
        processor.on(Processor.ERROR, error -> recording.add(error instanceof RecoveredFailure recovered
                ? "error " + (recovered.getCause() == null ? recovered.getMessage() : recovered.getCause().getMessage())
                : "uncaught " + error));
        return this;
    }

    /**
     * Logs what a streaming source (an {@code SseSource}, a {@code WebSocketSource}) reports of its connection:
     * its {@code connected}, {@code message} and {@code disconnected} events as {@code "<name> <payload>"} and its
     * errors as {@link #recordErrors} does.
     */
    public <T> EventLog recordStream(Processor source, Event<String> connected, Event<T> message,
            Event<String> disconnected) {
        return record(source, connected).record(source, message).record(source, disconnected).recordErrors(source);
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

    /**
     * Takes the first entry not yet taken by {@code next…} or {@link #rest()}, waiting for it to be logged.
     *
     * @throws AssertionError naming what was logged if none arrived within {@code timeout}
     */
    public String next(Duration timeout) throws InterruptedException {
        return next(1, timeout).get(0);
    }

    /**
     * Takes the next {@code count} entries not yet taken, waiting for them to be logged.
     *
     * @throws AssertionError naming what was logged if fewer arrived within {@code timeout}; none is taken then
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public synchronized List<String> next(int count, Duration timeout) throws InterruptedException {
        if (count < 0) {
            throw new IllegalArgumentException("count < 0: " + count);
        }
        List<String> all = recording.await(taken + count, timeout);
        List<String> next = List.copyOf(all.subList(taken, taken + count));
        taken += count;
        return next;
    }

    /**
     * Takes entries until one that starts with none of {@code prefixes}, and returns that one: for a step that a
     * loaded machine may precede with others (a reconnect that itself times out before one gets through).
     *
     * @throws AssertionError naming what was logged if no such entry arrived within {@code timeout} (each wait)
     */
    public synchronized String nextSkipping(Duration timeout, String... prefixes) throws InterruptedException {
        Objects.requireNonNull(prefixes, "prefixes");
        while (true) {
            String entry = next(timeout);
            boolean skip = false;
            for (String prefix : prefixes) {
                skip |= entry.startsWith(prefix);
            }
            if (!skip) {
                return entry;
            }
        }
    }

    /** Takes every entry logged and not yet taken, without waiting. */
    public synchronized List<String> rest() {
        List<String> all = recording.values();
        List<String> rest = all.subList(Math.min(taken, all.size()), all.size());
        taken = all.size();
        return List.copyOf(rest);
    }

    /** Every entry so far, in order. */
    public List<String> entries() {
        return recording.values();
    }

    /** Forgets every entry so far; reading starts again with the next entry logged. */
    public synchronized void clear() {
        recording.clear();
        taken = 0;
    }

    @Override
    public String toString() {
        return "EventLog" + recording;
    }
}
