package io.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Event;
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
    void awaitStartingWith_timesOut_namingWhatWasLogged() {
        EventLog log = new EventLog();
        log.add("connected");

        assertThatThrownBy(() -> log.awaitStartingWith("disconnected", Duration.ofMillis(5)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("entry starting with 'disconnected'")
                .hasMessageContaining("[connected]");
    }
}
