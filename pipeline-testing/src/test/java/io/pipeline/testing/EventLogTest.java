package io.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Event;
import io.pipeline.core.Processor;
import io.pipeline.core.RecoveredFailure;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventLogTest {
    static final Event<String> WORD = Event.of("word", String.class);
    static final Event<Integer> NUMBER = Event.of("number", Integer.class);

    @Test
    void entriesOfSeveralEvents_keepTheirCommonOrder() throws Exception {
        try (SyncDispatcher handler = new SyncDispatcher()) {
            ScriptedSource<String> words = new ScriptedSource<>("words", handler, WORD, List.of("a", "b"));
            ScriptedSource<Integer> numbers = new ScriptedSource<>("numbers", handler, NUMBER, List.of(1));
            EventLog log = new EventLog().record(words, WORD).record(numbers, NUMBER, n -> "#" + n);
            words.start();
            numbers.start();

            words.emitNext();
            numbers.emitNext();
            log.add("-- mark --");
            words.emitNext();

            assertThat(log.await(4, Duration.ZERO)).containsExactly("word a", "number #1", "-- mark --", "word b");
            assertThat(log.awaitStartingWith("number", Duration.ZERO)).isEqualTo("number #1");
            assertThat(log.awaitMatching(e -> e.endsWith("b"), Duration.ZERO)).isEqualTo("word b");
            log.clear();
            assertThat(log.entries()).isEmpty();
        }
    }

    @Test
    void next_takesEntriesInOrder_skippingAndRestTakeTheRest() throws Exception {
        EventLog log = new EventLog();
        for (String entry : List.of("connected a", "error x", "disconnected x", "error y", "connected b", "message 1")) {
            log.add(entry);
        }

        assertThat(log.next(Duration.ZERO)).isEqualTo("connected a");
        assertThat(log.next(2, Duration.ZERO)).containsExactly("error x", "disconnected x");
        assertThat(log.nextSkipping(Duration.ZERO, "error", "disconnected")).isEqualTo("connected b");
        assertThat(log.rest()).containsExactly("message 1");
        assertThat(log.rest()).isEmpty();
        assertThat(log.entries()).hasSize(6);
        assertThatThrownBy(() -> log.next(Duration.ofMillis(5))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("at least 7");
        log.add("late");
        assertThat(log.next(Duration.ZERO)).isEqualTo("late");
    }

    @Test
    void next_waitsForAnEntryLoggedByAnotherThread() throws Exception {
        EventLog log = new EventLog();
        Thread writer = new Thread(() -> log.add("from another thread"), "event-log-writer");
        writer.start();

        assertThat(log.next(Duration.ofSeconds(10))).isEqualTo("from another thread");
        writer.join(10_000);
    }

    @Test
    void recordErrors_logsRecoveredCausesAsErrors_andAnythingElseAsUncaught() throws Exception {
        try (SyncDispatcher handler = new SyncDispatcher()) {
            Processor source = new Processor("source", handler) { };
            EventLog log = new EventLog().recordErrors(source);

            source.emit(Processor.ERROR, new RecoveredFailure("poll failed, retrying",
                    new java.io.IOException("HTTP 503")));
            source.emit(Processor.ERROR, new IllegalStateException("bug"));

            assertThat(log.next(2, Duration.ZERO)).containsExactly("error HTTP 503",
                    "uncaught java.lang.IllegalStateException: bug");
        }
    }

    @Test
    void recordStream_logsConnectMessageDisconnectAndErrors_inOrder() throws Exception {
        Event<String> connected = Event.of("connected", String.class);
        Event<String> disconnected = Event.of("disconnected", String.class);
        try (SyncDispatcher handler = new SyncDispatcher()) {
            Processor source = new Processor("stream", handler) { };
            EventLog log = new EventLog().recordStream(source, connected, NUMBER, disconnected);

            source.emit(connected, "ws://feed");
            source.emit(NUMBER, 7);
            source.emit(Processor.ERROR, new RecoveredFailure("lost", new java.io.IOException("reset")));
            source.emit(disconnected, "connection lost");

            assertThat(log.rest()).containsExactly("connected ws://feed", "number 7", "error reset",
                    "disconnected connection lost");
        }
    }

    @Test
    void awaitStartingWith_timesOut_namingWhatWasLogged() {
        EventLog log = new EventLog();
        log.add("connected");

        assertThatThrownBy(() -> log.awaitStartingWith("disconnected", Duration.ofMillis(5)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("entry starting with 'disconnected'")
                .hasMessageContaining("[connected]");
    }
}
