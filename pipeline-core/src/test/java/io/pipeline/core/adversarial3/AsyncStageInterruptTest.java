package io.pipeline.core.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Event;
import io.pipeline.core.ListenerException;
import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An async stage that fails with an {@link InterruptedException} under a {@link SyncDispatcher}: reported as an
 * ERROR, and the interrupt flag goes back to the emitting thread only — never to the unrelated thread that happened
 * to complete the stage (an HTTP client's callback thread, a pool's worker).
 */
class AsyncStageInterruptTest {
    static final Event<String> WORD = Event.of("word", String.class);

    static final class Node extends Processor {
        Node(String name, SyncDispatcher handler) {
            super(name, handler);
        }
    }

    @Test
    void stageFailingWithInterruptedException_onAnotherThread_doesNotInterruptThatThread() throws Exception {
        SyncDispatcher handler = new SyncDispatcher();
        Node node = new Node("node", handler);
        CompletableFuture<Void> stage = new CompletableFuture<>();
        node.onAsync(WORD, word -> stage);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        node.on(Processor.ERROR, errors::add);

        node.emit(WORD, "w");
        CompletableFuture<Boolean> completerInterrupted = new CompletableFuture<>();
        Thread completer = new Thread(() -> {
            stage.completeExceptionally(new InterruptedException("stage gave up"));
            completerInterrupted.complete(Thread.currentThread().isInterrupted());
        }, "stage-completer");
        completer.start();

        assertThat(completerInterrupted.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(errors).singleElement().isInstanceOf(ListenerException.class)
                .extracting(Throwable::getCause).isInstanceOf(InterruptedException.class);
        completer.join(10_000);
        handler.close();
    }

    @Test
    void listenerThrowingInterruptedException_setsTheEmittersFlagAgain() {
        SyncDispatcher handler = new SyncDispatcher();
        Node node = new Node("node", handler);
        node.onAsync(WORD, word -> {
            throw sneaky(new InterruptedException("listener"));
        });
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        node.on(Processor.ERROR, errors::add);

        node.emit(WORD, "w");

        assertThat(Thread.interrupted()).isTrue();
        assertThat(errors).singleElement().extracting(Throwable::getCause).isInstanceOf(InterruptedException.class);
        handler.close();
    }

    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
