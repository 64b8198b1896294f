package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.ListenerException;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.Subscription;
import io.pipeline.core.SyncDispatcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Re-entrancy and hostile listeners, against both dispatchers. */
abstract class DispatcherAdversarialContract {
    static final Event<Integer> N = Event.of("n", Integer.class);
    static final Event<String> S = Event.of("s", String.class);

    final MessageHandler handler = create();
    final Plain p = new Plain("p", handler);
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    abstract MessageHandler create();

    @AfterEach
    void close() {
        handler.close();
    }

    /** Emits a marker and waits until it has been delivered: everything emitted before it has been too. */
    void settle() throws Exception {
        Plain marker = new Plain("marker-" + System.nanoTime(), handler);
        marker.on(S, s -> {});
        marker.emitAsync(S, "settle").get(10, TimeUnit.SECONDS);
    }

    @Test
    void errorListenerThatThrows_doesNotLoopForever() throws Exception {
        AtomicInteger errorCalls = new AtomicInteger();
        p.on(Processor.ERROR, e -> {
            errorCalls.incrementAndGet();
            throw new IllegalStateException("error listener broke");
        });
        p.on(N, n -> {
            throw new IllegalArgumentException("listener broke");
        });
        p.emit(N, 1);
        settle();
        assertThat(errorCalls.get()).isEqualTo(1);
        assertThat(handler.isClosed()).isFalse();
    }

    @Test
    void asyncListenerReturningNull_isAnErrorEvent_notADeadDispatcher() throws Exception {
        p.on(Processor.ERROR, errors::add);
        p.onAsync(N, n -> null);
        List<String> after = new CopyOnWriteArrayList<>();
        p.on(S, after::add);
        p.emit(N, 1);
        p.emitAsync(S, "after").get(10, TimeUnit.SECONDS);
        assertThat(errors).singleElement().isInstanceOf(ListenerException.class);
        assertThat(after).containsExactly("after");
        p.emit(N, 2);
        settle();
        assertThat(errors).hasSize(2);
    }

    @Test
    void subscriptionCancelledByItsOwnListener_receivesNothingMore() throws Exception {
        List<Integer> got = new CopyOnWriteArrayList<>();
        AtomicReference<Subscription> self = new AtomicReference<>();
        self.set(p.on(N, n -> {
            got.add(n);
            self.get().cancel();
        }));
        p.emit(N, 1);
        p.emit(N, 2);
        p.emit(N, 3);
        settle();
        assertThat(got).containsExactly(1);
        assertThat(p.listenerCount(N)).isZero();
    }

    @Test
    void listenerRegisteringAnotherDuringDelivery_theNewOneSeesLaterMessages() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        p.once(N, n -> p.on(N, m -> got.add("late " + m)));
        p.emit(N, 1);
        p.emit(N, 2);
        settle();
        assertThat(got).containsExactly("late 2");
    }

    @Test
    void onceListener_reEmittingItsEvent_runsOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        p.once(N, n -> {
            calls.incrementAndGet();
            p.emit(N, n + 1);
            p.emit(N, n + 2);
        });
        p.emit(N, 1);
        p.emit(N, 1);
        settle();
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void removeAllListeners_fromAListener_stopsLaterDeliveries() throws Exception {
        List<Integer> got = new CopyOnWriteArrayList<>();
        p.on(N, n -> {
            got.add(n);
            p.removeAllListeners();
        });
        p.on(N, n -> got.add(-n));
        p.emit(N, 1);
        p.emit(N, 2);
        settle();
        assertThat(got).doesNotContain(2, -2);
    }

    @Test
    void wrongPayloadThroughRawTypes_isRejectedNamingTheTypes() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Event<Object> raw = (Event) N;
        assertThatThrownBy(() -> p.emit(raw, "not a number")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Integer").hasMessageContaining("java.lang.String");
        assertThatThrownBy(() -> p.emitAsync(raw, "not a number")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emitAsync_completesOnlyAfterTheAsyncStageCompleted() throws Exception {
        CompletableFuture<Void> stage = new CompletableFuture<>();
        p.onAsync(N, n -> stage);
        CompletableFuture<Boolean> done = p.emitAsync(N, 1);
        settle();
        assertThat(done).isNotDone();
        stage.complete(null);
        assertThat(done.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void emitAsync_ofAnUnheardEvent_completesFalse_andCountsADeadEvent() throws Exception {
        long before = handler.deadEvents();
        assertThat(p.emitAsync(N, 1).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(handler.deadEvents()).isEqualTo(before + 1);
    }

    @Test
    void listenerThrowingAListenerException_isStillRoutedOnce() throws Exception {
        p.on(Processor.ERROR, errors::add);
        p.on(N, n -> {
            throw new ListenerException("other", "x", new RuntimeException("inner"));
        });
        p.emit(N, 1);
        settle();
        assertThat(errors).hasSize(1);
    }
}
