package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Overflow;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What becomes of work in flight when the loop dies of a fatal error, or closes mid-chain. */
class AsyncDeathAdversarialTest {
    private static final Event<Integer> N = Event.of("n", Integer.class);
    private static final Event<String> S = Event.of("s", String.class);

    private final AsyncDispatcher dispatcher = AsyncDispatcher.builder().capacity(64).overflow(Overflow.BLOCK)
            .threadName("adv-death").build();
    private final Plain p = new Plain("p", dispatcher);

    @AfterEach
    void close() {
        dispatcher.close();
        assertThat(Threads.alive("adv-death")).isEmpty();
    }

    @Test
    void asyncStageCompletingAfterTheLoopDied_leavesNoEmitAsyncFutureHanging() throws Exception {
        CompletableFuture<Void> stage = new CompletableFuture<>();
        p.onAsync(N, n -> stage);
        p.on(S, s -> {
            throw new OutOfMemoryError("loop dies");
        });
        CompletableFuture<Boolean> inFlight = p.emitAsync(N, 1);
        CompletableFuture<Boolean> backlogged = p.emitAsync(N, 2);
        p.emitAsync(S, "die");
        CountDownLatch dead = new CountDownLatch(1);
        Thread watcher = new Thread(() -> {
            while (!dispatcher.isClosed()) {
                Thread.onSpinWait();
            }
            dead.countDown();
        }, "adv-watcher");
        watcher.setDaemon(true);
        watcher.start();
        assertThat(dead.await(10, TimeUnit.SECONDS)).isTrue();
        stage.complete(null);
        assertThat(completesWithin10s(backlogged)).as("the backlogged message's future completes").isTrue();
        assertThat(completesWithin10s(inFlight)).as("the in-flight message's future completes").isTrue();
    }

    @Test
    void loopDeath_failsTheFuturesOfTheDyingMessage_theStageInFlight_andTheBacklog_withTheFatalErrorAsCause()
            throws Exception {
        OutOfMemoryError fatal = new OutOfMemoryError("loop dies");
        CompletableFuture<Void> stage = new CompletableFuture<>(); // never completes
        CountDownLatch die = new CountDownLatch(1);
        p.onAsync(N, n -> stage);
        p.on(S, s -> {
            die.await(10, TimeUnit.SECONDS);
            throw fatal;
        });
        CompletableFuture<Boolean> inFlight = p.emitAsync(N, 1);
        CompletableFuture<Boolean> backlogged = p.emitAsync(N, 2);
        CompletableFuture<Boolean> dying = p.emitAsync(S, "die");
        CompletableFuture<Boolean> queuedBehind = p.emitAsync(N, 3);
        die.countDown();

        for (CompletableFuture<Boolean> future : List.of(dying, inFlight, backlogged, queuedBehind)) {
            assertFailsWithin10s(future, fatal);
        }
        awaitLoopEnd();
    }

    @Test
    void stageCompletedOnAnotherThreadJustBeforeTheLoopDies_itsFutureAndTheBacklogStillComplete() throws Exception {
        OutOfMemoryError fatal = new OutOfMemoryError("loop dies");
        CompletableFuture<Void> stage = new CompletableFuture<>();
        CountDownLatch dyingEntered = new CountDownLatch(1);
        CountDownLatch die = new CountDownLatch(1);
        p.onAsync(N, n -> stage);
        p.on(S, s -> {
            dyingEntered.countDown();
            die.await(10, TimeUnit.SECONDS);
            throw fatal;
        });
        CompletableFuture<Boolean> inFlight = p.emitAsync(N, 1);
        CompletableFuture<Boolean> backlogged = p.emitAsync(N, 2);
        p.emit(S, "die");
        assertThat(dyingEntered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread completer = new Thread(() -> stage.complete(null), "adv-death-completer");
        completer.start();
        Threads.awaitEnd(completer); // its continuation now waits for the loop, which is about to die
        die.countDown();

        assertFailsWithin10s(inFlight, fatal);
        assertFailsWithin10s(backlogged, fatal);
        awaitLoopEnd();
    }

    @Test
    void asyncListenerItselfThrowingAFatalError_failsItsFutureAndItsBacklog() throws Exception {
        InternalError fatal = new InternalError("listener dies");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        p.onAsync(N, n -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            throw fatal;
        });
        CompletableFuture<Boolean> first = p.emitAsync(N, 1);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Boolean> second = p.emitAsync(N, 2); // in the ring until the first returns, then backlogged
        release.countDown();

        assertFailsWithin10s(first, fatal);
        assertFailsWithin10s(second, fatal);
        awaitLoopEnd();
    }

    @Test
    void emitAsyncAfterTheLoopDied_throwsNamingTheFatalError_withAndWithoutListeners() throws Exception {
        OutOfMemoryError fatal = new OutOfMemoryError("loop dies");
        p.on(S, s -> {
            throw fatal;
        });
        assertFailsWithin10s(p.emitAsync(S, "die"), fatal);
        awaitLoopEnd();

        assertThatThrownBy(() -> p.emitAsync(S, "again")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed").hasCause(fatal);
        assertThatThrownBy(() -> p.emitAsync(N, 1)).as("no listener: a dead event, refused all the same")
                .isInstanceOf(IllegalStateException.class).hasCause(fatal);
    }

    @Test
    void blockedEmitAsyncProducer_whenTheLoopDies_isReleasedWithTheFatalError() throws Exception {
        AsyncDispatcher small = AsyncDispatcher.builder().capacity(1).overflow(Overflow.BLOCK)
                .threadName("adv-death-small").build();
        try {
            Plain q = new Plain("q", small);
            OutOfMemoryError fatal = new OutOfMemoryError("loop dies");
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch die = new CountDownLatch(1);
            q.on(S, s -> {
                entered.countDown();
                die.await(10, TimeUnit.SECONDS);
                throw fatal;
            });
            q.on(N, n -> { });
            q.emit(S, "die");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Boolean> queued = q.emitAsync(N, 1); // fills the queue
            CompletableFuture<Throwable> blocked = new CompletableFuture<>();
            Thread producer = new Thread(() -> {
                try {
                    q.emitAsync(N, 2);
                    blocked.complete(null);
                } catch (Throwable t) {
                    blocked.complete(t);
                }
            }, "adv-death-producer");
            producer.start();
            Threads.awaitBlockedOrDone(producer);
            die.countDown();

            assertThat(blocked.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class).hasCause(fatal);
            assertFailsWithin10s(queued, fatal);
            Threads.awaitEnd(producer);
        } finally {
            small.close();
        }
        assertThat(Threads.alive("adv-death-small")).isEmpty();
    }

    /** Waits (bounded) for the loop thread to have ended after dying. */
    private void awaitLoopEnd() throws InterruptedException {
        for (Thread thread : Threads.alive("adv-death")) {
            if (thread.getName().equals("adv-death")) {
                Threads.awaitEnd(thread);
            }
        }
        assertThat(dispatcher.isTerminated()).isTrue();
    }

    private static void assertFailsWithin10s(CompletableFuture<?> future, Throwable fatal) {
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasCause(fatal);
    }

    private static boolean completesWithin10s(CompletableFuture<?> future) throws InterruptedException {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException failed) {
            // completed: exceptionally is fine, the loop is dead
        } catch (java.util.concurrent.TimeoutException hanging) {
            return false;
        }
        return true;
    }

    @Test
    void listenerChainDeeperThanTheInlineLimit_duringClose_isDeliveredInFull() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger deepest = new AtomicInteger();
        List<Integer> order = new CopyOnWriteArrayList<>();
        p.on(S, s -> {
            first.countDown();
            release.await(10, TimeUnit.SECONDS);
            p.emit(N, 1);
        });
        p.on(N, n -> {
            order.add(n);
            deepest.accumulateAndGet(n, Math::max);
            if (n < 500) {
                p.emit(N, n + 1);
            }
        });
        p.emit(S, "start");
        assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(dispatcher::close, "adv-death-closer");
        closer.start();
        Threads.awaitBlockedOrDone(closer);
        release.countDown();
        Threads.awaitEnd(closer);
        assertThat(deepest.get()).isEqualTo(500);
        assertThat(order).hasSize(500).isSorted();
    }
}
