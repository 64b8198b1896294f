package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class EventAndManagerTest {
    final SyncDispatcher handler = new SyncDispatcher();

    @Test
    void event_hasValueSemantics() {
        assertThat(Event.of("price", Double.class)).isEqualTo(Event.of("price", Double.class))
                .hasSameHashCodeAs(Event.of("price", Double.class))
                .isNotEqualTo(Event.of("price", Integer.class))
                .isNotEqualTo(Event.of("volume", Double.class));
        assertThat(Event.of("price", Double.class).name()).isEqualTo("price");
        assertThat(Event.of("price", Double.class).type()).isEqualTo(Double.class);
    }

    @Test
    void event_rejectsBlankNameAndPrimitiveType() {
        assertThatThrownBy(() -> Event.of(" ", String.class)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Event.of("n", int.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("int");
        assertThatThrownBy(() -> Event.of(null, String.class)).isInstanceOf(NullPointerException.class);
    }

    static final class Idle extends Source {
        Idle(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            return completion();
        }
    }

    static class Wired extends Manager {
        final Idle source;
        final TestProcessor processor;
        final List<String> closed = new ArrayList<>();

        Wired(MessageHandler handler) {
            super("wired", handler);
            source = new Idle(processorName("source"), handler);
            processor = new TestProcessor(processorName("processor"), handler);
            source.on(DispatcherContractTest.WORD, w -> processor.emit(DispatcherContractTest.WORD, w));
            processor.on(DispatcherContractTest.WORD, w -> {});
            closeOnStop(() -> closed.add("first"));
            closeOnStop(() -> closed.add("second"));
            setSource(source);
        }
    }

    @Test
    void manager_namesProcessorsAfterItself() {
        Wired manager = new Wired(handler);

        assertThat(manager.source.name()).isEqualTo("wired.source");
        assertThat(manager.processor.name()).isEqualTo("wired.processor");
        assertThat(manager.source()).isSameAs(manager.source);
        assertThat(manager.handler()).isSameAs(handler);
        assertThat(manager.shouldRestart()).isTrue();
    }

    @Test
    void manager_removeAllListeners_clearsOnlyItsOwnProcessors() {
        Wired manager = new Wired(handler);
        TestProcessor stranger = new TestProcessor("wiredX.source", handler);
        stranger.on(DispatcherContractTest.WORD, w -> {});

        manager.removeAllListeners();

        assertThat(manager.source.listenerCount(DispatcherContractTest.WORD)).isZero();
        assertThat(manager.processor.listenerCount(DispatcherContractTest.WORD)).isZero();
        assertThat(stranger.listenerCount(DispatcherContractTest.WORD)).isEqualTo(1);
    }

    @Test
    void manager_lifecycle_startStopIsDone() {
        Wired manager = new Wired(handler);

        CompletableFuture<Void> done = manager.start();
        assertThat(manager.isDone()).isFalse();
        assertThat(manager.source.isDone()).isFalse();
        assertThatThrownBy(manager::start).isInstanceOf(IllegalStateException.class);
        manager.stop();
        manager.stop();

        assertThat(done).isCompletedWithValue(null);
        assertThat(manager.isDone()).isTrue();
        assertThat(manager.source.isDone()).isTrue();
        assertThat(manager.closed).containsExactly("second", "first");
    }

    @Test
    void manager_withoutSource_failsClearly() {
        Manager empty = new Manager("empty", handler) {};

        assertThatThrownBy(empty::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("setSource");
        assertThatThrownBy(empty::source).isInstanceOf(IllegalStateException.class).hasMessageContaining("'empty'");
    }

    @Test
    void manager_setSourceTwice_throws() {
        assertThatThrownBy(() -> new Wired(handler) {
            {
                setSource(new Idle(processorName("other"), handler));
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("already has a source");
    }

    @Test
    void processor_rejectsBlankName() {
        assertThatThrownBy(() -> new TestProcessor("", handler)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TestProcessor("p", null)).isInstanceOf(NullPointerException.class);
        assertThat(new TestProcessor("p", handler).isDone()).isTrue();
    }
}
