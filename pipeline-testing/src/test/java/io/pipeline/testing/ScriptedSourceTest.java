package io.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Event;
import io.pipeline.core.SyncDispatcher;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScriptedSourceTest {
    static final Event<Integer> N = Event.of("n", Integer.class);

    private final SyncDispatcher handler = new SyncDispatcher();
    private final VirtualTime time = VirtualTime.create();

    @AfterEach
    void close() {
        handler.close();
    }

    @Test
    void emitNext_emitsThePayloadsInOrder_whenTold() {
        ScriptedSource<Integer> source = new ScriptedSource<>("numbers", handler, N, List.of(1, 2, 3));
        EventRecorder<Integer> seen = EventRecorder.of(source, source.event());
        source.start();

        assertThat(source.emitNext()).isTrue();
        assertThat(seen.values()).containsExactly(1);
        assertThat(source.emitAll()).isEqualTo(2);
        assertThat(seen.values()).containsExactly(1, 2, 3);
        assertThat(source.emitNext()).isFalse();
        assertThat(source.emitted()).isEqualTo(3);
        assertThat(source.remaining()).isZero();
        assertThat(source.isDone()).as("stays running after the script by default").isFalse();
    }

    @Test
    void ticking_emitsOnePerPeriodOfVirtualTime() {
        ScriptedSource<Integer> source = new ScriptedSource<>("numbers", handler, N, List.of(1, 2, 3))
                .ticking(time, Duration.ofSeconds(10));
        EventRecorder<Integer> seen = EventRecorder.of(source, N);
        source.start();

        time.advance(Duration.ofSeconds(9));
        assertThat(seen.values()).isEmpty();
        time.advance(Duration.ofSeconds(11));
        assertThat(seen.values()).containsExactly(1, 2);
        time.advance(Duration.ofMinutes(5));
        assertThat(seen.values()).containsExactly(1, 2, 3);
        assertThat(time.pending()).as("the ticks end with the script").isZero();
    }

    @Test
    void finishWhenExhausted_completesTheFutureAfterTheLastPayload() {
        ScriptedSource<Integer> source = new ScriptedSource<>("numbers", handler, N, List.of(1, 2))
                .finishWhenExhausted();
        CompletableFuture<Void> done = source.start();

        source.emitNext();
        assertThat(done).isNotDone();
        source.emitNext();
        assertThat(done).isCompleted();
    }

    @Test
    void crash_failsTheFuture_andStop_endsEmission() {
        ScriptedSource<Integer> crashing = new ScriptedSource<>("a", handler, N, List.of(1));
        CompletableFuture<Void> failed = crashing.start();
        crashing.crash(new IOException("gone"));
        assertThat(failed).isCompletedExceptionally();
        assertThat(crashing.emitNext()).isFalse();

        ScriptedSource<Integer> stopped = new ScriptedSource<>("b", handler, N, List.of(1, 2))
                .ticking(time, Duration.ofSeconds(1));
        EventRecorder<Integer> seen = EventRecorder.of(stopped, N);
        CompletableFuture<Void> done = stopped.start();
        time.advance(Duration.ofSeconds(1));
        stopped.stop();
        time.advance(Duration.ofSeconds(5));
        assertThat(seen.values()).containsExactly(1);
        assertThat(done).isCompleted();
        assertThat(time.pending()).isZero();
    }

    @Test
    void misuse_isRejectedClearly() {
        ScriptedSource<Integer> source = new ScriptedSource<>("numbers", handler, N, List.of(1));
        assertThatThrownBy(source::emitNext).isInstanceOf(IllegalStateException.class).hasMessageContaining("not started");
        assertThatThrownBy(() -> source.ticking(time, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0S");
        source.start();
        assertThatThrownBy(source::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
        assertThatThrownBy(source::finishWhenExhausted).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before start()");
        assertThatThrownBy(() -> source.emit(-1)).isInstanceOf(IllegalArgumentException.class);
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<Integer> wrong = (List) List.of("not a number");
        assertThatThrownBy(() -> new ScriptedSource<>("bad", handler, N, wrong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a number");
    }
}
