package io.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EventRecorderTest {
    static final Event<String> WORD = Event.of("word", String.class);

    static final class Words extends Processor {
        Words(String name, io.pipeline.core.MessageHandler handler) {
            super(name, handler);
        }

        void say(String word) {
            emit(WORD, word);
        }
    }

    @Test
    void of_recordsEveryPayloadInOrder() throws Exception {
        try (SyncDispatcher handler = new SyncDispatcher()) {
            Words words = new Words("words", handler);
            EventRecorder<String> recorder = EventRecorder.of(words, WORD);

            words.say("a");
            words.say("b");

            assertThat(recorder.values()).containsExactly("a", "b");
            assertThat(recorder.await(2, Duration.ZERO)).containsExactly("a", "b");
            assertThat(recorder.count()).isEqualTo(2);
            assertThat(recorder.last()).isEqualTo("b");
        }
    }

    @Test
    void await_waitsForPayloadsFromTheLoopThread() throws Exception {
        try (AsyncDispatcher handler = new AsyncDispatcher()) {
            Words words = new Words("words", handler);
            EventRecorder<String> recorder = EventRecorder.of(words, WORD);

            for (int i = 0; i < 100; i++) {
                words.say("w" + i);
            }

            assertThat(recorder.await(100, Duration.ofSeconds(10))).hasSize(100).startsWith("w0", "w1").endsWith("w99");
            assertThat(recorder.awaitMatching(w -> w.endsWith("7"), Duration.ofSeconds(10))).isEqualTo("w7");
        }
    }

    @Test
    void await_tooFew_failsNamingWhatWasRecorded() {
        try (SyncDispatcher handler = new SyncDispatcher()) {
            Words words = new Words("words", handler);
            EventRecorder<String> recorder = EventRecorder.of(words, WORD);
            words.say("only");

            assertThatThrownBy(() -> recorder.await(2, Duration.ofMillis(20))).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("expected at least 2 'word' payload(s) of words")
                    .hasMessageContaining("got 1: [only]");
            assertThatThrownBy(() -> recorder.await(-1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-1");
        }
    }

    @Test
    void clear_forgets_andStop_endsRecording() {
        try (SyncDispatcher handler = new SyncDispatcher()) {
            Words words = new Words("words", handler);
            EventRecorder<String> recorder = EventRecorder.of(words, WORD);
            words.say("old");

            recorder.clear();
            words.say("new");
            recorder.stop();
            words.say("unheard");

            assertThat(recorder.values()).containsExactly("new");
            assertThat(words.listenerCount(WORD)).isZero();
        }
    }

    @Test
    void create_isAListenerToRegisterYourself() {
        try (SyncDispatcher handler = new SyncDispatcher()) {
            Words words = new Words("words", handler);
            EventRecorder<String> recorder = EventRecorder.create();
            words.on(WORD, recorder);

            words.say("x");

            assertThat(recorder.values()).containsExactly("x");
            assertThatThrownBy(EventRecorder.create()::last).isInstanceOf(AssertionError.class);
        }
    }
}
