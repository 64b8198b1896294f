package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Event;
import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link SyncDispatcher} attacked through the public API. */
class SyncDispatcherAdversarialTest {
    private static final Event<Integer> N = Event.of("n", Integer.class);

    private final SyncDispatcher dispatcher = new SyncDispatcher();
    private final Plain p = new Plain("p", dispatcher);
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @Test
    void errorEmitAfterClose_throwsLikeAnyEmit() {
        p.on(Processor.ERROR, errors::add);
        dispatcher.close();
        assertThatThrownBy(() -> p.emit(Processor.ERROR, new RuntimeException("late")))
                .isInstanceOf(IllegalStateException.class);
        assertThat(errors).isEmpty();
    }

    @Test
    void errorEmitAsyncAfterClose_throwsOrFails() {
        p.on(Processor.ERROR, errors::add);
        dispatcher.close();
        try {
            assertThat(p.emitAsync(Processor.ERROR, new RuntimeException("late"))).isCompletedExceptionally();
        } catch (IllegalStateException expected) {
            // fine
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void asyncListenerBacklog_ofTenThousand_isDrainedWithoutOverflowingTheStack() {
        p.on(Processor.ERROR, errors::add);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        List<Integer> handled = new CopyOnWriteArrayList<>();
        p.onAsync(N, n -> {
            handled.add(n);
            return n == 0 ? gate : CompletableFuture.completedFuture(null);
        });
        for (int i = 0; i < 10_000; i++) {
            p.emit(N, i);
        }
        assertThat(handled).containsExactly(0);
        gate.complete(null);
        assertThat(errors).isEmpty();
        assertThat(handled).hasSize(10_000).isSorted();
    }

    @Test
    void asyncBacklog_behindStagesCompletingOneByOne_staysIterative() {
        p.on(Processor.ERROR, errors::add);
        List<CompletableFuture<Void>> stages = new CopyOnWriteArrayList<>();
        List<Integer> handled = new CopyOnWriteArrayList<>();
        p.onAsync(N, n -> {
            handled.add(n);
            CompletableFuture<Void> stage = new CompletableFuture<>();
            stages.add(stage);
            return stage;
        });
        for (int i = 0; i < 3_000; i++) {
            p.emit(N, i);
        }
        for (int i = 0; i < 3_000; i++) {
            stages.get(i).complete(null);
        }
        assertThat(errors).isEmpty();
        assertThat(handled).hasSize(3_000).isSorted();
    }

    @Test
    void listenerStackOverflow_isAnErrorEvent() {
        p.on(Processor.ERROR, errors::add);
        p.on(N, n -> {
            throw new StackOverflowError("listener");
        });
        p.emit(N, 1);
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasRootCauseInstanceOf(StackOverflowError.class));
        assertThat(dispatcher.isClosed()).isFalse();
        p.emit(N, 2);
        assertThat(errors).hasSize(2);
    }

    @Test
    void endlessCycle_overflowsIntoOneErrorEvent_andTheDispatcherLivesOn() {
        Plain a = new Plain("a", dispatcher);
        Plain b = new Plain("b", dispatcher);
        a.on(Processor.ERROR, errors::add);
        b.on(Processor.ERROR, errors::add);
        a.on(N, n -> b.emit(N, n + 1));
        b.on(N, n -> a.emit(N, n + 1));
        a.emit(N, 0);
        assertThat(errors).isNotEmpty();
        assertThat(errors).allSatisfy(e -> assertThat(e).hasRootCauseInstanceOf(StackOverflowError.class));
        AtomicInteger later = new AtomicInteger();
        p.on(N, n -> later.incrementAndGet());
        p.emit(N, 1);
        assertThat(later.get()).isEqualTo(1);
    }

    @Test
    void listenerInterrupted_isReported_andTheEmitterKeepsItsFlag() {
        p.on(Processor.ERROR, errors::add);
        p.on(N, n -> {
            throw new InterruptedException("listener");
        });
        try {
            p.emit(N, 1);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasRootCauseInstanceOf(InterruptedException.class));
    }

    @Test
    void listenerOutOfMemory_reachesTheEmitter_andLaterEmitsThrow() {
        p.on(N, n -> {
            throw new OutOfMemoryError("listener");
        });
        assertThatThrownBy(() -> p.emit(N, 1)).isInstanceOf(OutOfMemoryError.class);
        assertThat(dispatcher.isClosed()).isTrue();
        assertThatThrownBy(() -> p.emit(N, 2)).isInstanceOf(IllegalStateException.class)
                .hasCauseInstanceOf(OutOfMemoryError.class);
        assertThatThrownBy(() -> p.emit(Processor.ERROR, new RuntimeException("x")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nestedEmits_deeperThanAnyLimit_keepDepthFirstOrder() {
        Plain sink = new Plain("sink", dispatcher);
        Event<Long> stamp = Event.of("stamp", Long.class);
        AtomicLong emitted = new AtomicLong();
        List<Long> seen = new CopyOnWriteArrayList<>();
        sink.on(stamp, seen::add);
        p.on(N, depth -> {
            sink.emit(stamp, emitted.incrementAndGet());
            if (depth < 200) {
                p.emit(N, depth + 1);
            }
            sink.emit(stamp, emitted.incrementAndGet());
        });
        p.emit(N, 1);
        assertThat(seen).hasSize(400).isSorted();
    }

    @Test
    void listenerClosingTheDispatcher_midEmit_laterEmitsThrow() {
        AtomicReference<Throwable> inner = new AtomicReference<>();
        p.on(Processor.ERROR, errors::add);
        p.on(N, n -> {
            dispatcher.close();
            try {
                p.emit(N, n + 1);
            } catch (Throwable e) {
                inner.set(e);
            }
        });
        p.emit(N, 1);
        assertThat(inner.get()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> p.emit(N, 3)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void onceListener_underReentrancy_runsExactlyOnce() {
        AtomicInteger calls = new AtomicInteger();
        p.once(N, n -> {
            calls.incrementAndGet();
            p.emit(N, n + 1);
        });
        p.emit(N, 1);
        p.emit(N, 1);
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void twoThreadsEmitting_eachListenerSeesEveryMessage() throws Exception {
        AtomicLong seen = new AtomicLong();
        p.on(N, n -> seen.incrementAndGet());
        Thread t1 = new Thread(() -> { for (int i = 0; i < 50_000; i++) p.emit(N, i); }, "adv-a");
        Thread t2 = new Thread(() -> { for (int i = 0; i < 50_000; i++) p.emit(N, i); }, "adv-b");
        t1.start();
        t2.start();
        Threads.awaitEnd(t1);
        Threads.awaitEnd(t2);
        assertThat(seen.get()).isEqualTo(100_000);
    }
}
