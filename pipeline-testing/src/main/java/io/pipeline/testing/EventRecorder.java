package io.pipeline.testing;

import io.pipeline.core.Event;
import io.pipeline.core.Listener;
import io.pipeline.core.Processor;
import io.pipeline.core.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Records the payloads of one event in the order the listener received them, for exact-order assertions:
 *
 * <pre>{@code
 * EventRecorder<Quote> prices = EventRecorder.of(processor, HandleRawData.PRICE);
 * source.start();
 * assertThat(prices.await(2, Duration.ofSeconds(10))).extracting(Quote::price).containsExactly(221.17, 221.5);
 * }</pre>
 *
 * <p>It is a {@link Listener}: {@link #of(Processor, Event)} registers it, or pass it to {@code on} yourself
 * ({@code processor.on(EVENT, recorder)}). It never throws into the pipeline.
 *
 * <p>This class is thread-safe: the handler may call it on any thread (the emitting thread under
 * {@code SyncDispatcher}, the loop thread under {@code AsyncDispatcher}) while the test reads it.
 *
 * @param <T> the payload type
 */
public final class EventRecorder<T> implements Listener<T> {
    private final Recording<T> recording;
    private volatile Subscription subscription;

    private EventRecorder(String what) {
        this.recording = new Recording<>(what);
    }

    /** A recorder not yet registered anywhere: give it to {@code processor.on(event, recorder)}. */
    public static <T> EventRecorder<T> create() {
        return new EventRecorder<>("payload(s)");
    }

    /** A recorder registered, after the listeners already there, for {@code event} of {@code processor}. */
    public static <T> EventRecorder<T> of(Processor processor, Event<T> event) {
        Objects.requireNonNull(processor, "processor");
        Objects.requireNonNull(event, "event");
        EventRecorder<T> recorder = new EventRecorder<>("'" + event.name() + "' payload(s) of " + processor.name());
        recorder.subscription = processor.on(event, recorder);
        return recorder;
    }

    /** Records {@code payload}. Called by the handler. */
    @Override
    public void handle(T payload) {
        recording.add(payload);
    }

    /**
     * Waits until at least {@code count} payloads are recorded, then returns the first {@code count}.
     *
     * @throws AssertionError naming what was recorded if fewer arrived within {@code timeout}
     * @throws IllegalArgumentException if {@code count} or {@code timeout} is negative
     */
    public List<T> await(int count, Duration timeout) throws InterruptedException {
        return recording.await(count, timeout);
    }

    /**
     * Waits until a payload matching {@code condition} is recorded, and returns the first such payload.
     *
     * @throws AssertionError naming what was recorded if none matched within {@code timeout}
     */
    public T awaitMatching(Predicate<? super T> condition, Duration timeout) throws InterruptedException {
        return recording.awaitMatch(condition, timeout, "matching payload");
    }

    /** Every payload recorded so far, in arrival order: an immutable snapshot. */
    public List<T> values() {
        return recording.values();
    }

    /** How many payloads are recorded. */
    public int count() {
        return recording.size();
    }

    /** The most recent payload. @throws AssertionError if none was recorded */
    public T last() {
        List<T> values = recording.values();
        if (values.isEmpty()) {
            throw new AssertionError("nothing recorded");
        }
        return values.get(values.size() - 1);
    }

    /** Forgets everything recorded so far; later payloads are still recorded. */
    public void clear() {
        recording.clear();
    }

    /** Stops recording, if {@link #of} registered this recorder; what was recorded stays. Idempotent. */
    public void stop() {
        Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
    }

    @Override
    public String toString() {
        return "EventRecorder" + recording;
    }
}
