package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Dispatcher#barrier}: completes once everything accepted before it was handed to the listeners and the
 * matching async listeners are idle; never blocks the caller, also not on a full {@link Overflow#BLOCK} queue.
 */
class DeliveryBarrierTest {
    static final Event<String> S = Event.of("s", String.class);
    static final Predicate<String> P = "p"::equals;

    final List<Dispatcher> dispatchers = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        dispatchers.forEach(Dispatcher::close);
    }

    <D extends Dispatcher> D track(D dispatcher) {
        dispatchers.add(dispatcher);
        return dispatcher;
    }

    @Test
    void async_idle_completesAtOnce() throws Exception {
        AsyncDispatcher dispatcher = track(AsyncDispatcher.builder().threadName("barrier-loop").build());
        TestProcessor p = new TestProcessor("p", dispatcher);
        List<String> heard = new CopyOnWriteArrayList<>();
        p.on(S, heard::add);
        p.emitAsync(S, "one").get(10, TimeUnit.SECONDS);

        CompletableFuture<Void> barrier = dispatcher.barrier(P);

        barrier.get(10, TimeUnit.SECONDS); // at once, or as soon as the loop has seen it
        assertThat(heard).containsExactly("one");
    }

    @Test
    void async_behindAStalledListener_completesOnlyOnceEverythingQueuedBeforeItWasDelivered() throws Exception {
        AsyncDispatcher dispatcher = track(AsyncDispatcher.builder().threadName("barrier-loop").build());
        TestProcessor p = new TestProcessor("p", dispatcher);
        TestProcessor other = new TestProcessor("other", dispatcher);
        List<String> heard = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        listenHeld(p, entered, heard);
        other.on(S, heard::add);
        for (int i = 0; i < 100; i++) {
            p.emit(S, "p" + i);
        }
        other.emit(S, "other"); // not the barrier's processor, but accepted before it: delivered first all the same
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Integer> heardAtBarrier = dispatcher.barrier(P).thenApply(ignored -> heard.size());
        assertThat(heardAtBarrier).isNotDone();
        release.countDown();

        assertThat(heardAtBarrier.get(10, TimeUnit.SECONDS)).isEqualTo(101);
    }

    @Test
    void async_onAFullBlockQueueWithAProducerWaiting_returnsAtOnceAndCompletesAfterTheDrain() throws Exception {
        AsyncDispatcher dispatcher = track(AsyncDispatcher.builder().capacity(1).overflow(Overflow.BLOCK)
                .threadName("barrier-loop").build());
        TestProcessor p = new TestProcessor("p", dispatcher);
        List<String> heard = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        listenHeld(p, entered, heard);
        p.emit(S, "in the listener");
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        p.emit(S, "queued");
        Thread blocked = new Thread(() -> p.emit(S, "waiting for room"), "barrier-producer");
        blocked.start();
        Waiting.awaitWaiting(blocked);

        CompletableFuture<Integer> heardAtBarrier = dispatcher.barrier(P).thenApply(ignored -> heard.size());
        assertThat(heardAtBarrier).as("returned without waiting").isNotDone();
        release.countDown();

        assertThat(heardAtBarrier.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(2);
        blocked.join(10_000);
        assertThat(blocked.isAlive()).isFalse();
    }

    @Test
    void async_withAnAsyncListenerOfTheProcessorInFlight_completesWhenItsStageAndBacklogAreDone() throws Exception {
        AsyncDispatcher dispatcher = track(AsyncDispatcher.builder().threadName("barrier-loop").build());
        TestProcessor p = new TestProcessor("p", dispatcher);
        CompletableFuture<Void> stage = new CompletableFuture<>();
        List<String> started = new CopyOnWriteArrayList<>();
        p.onAsync(S, s -> {
            started.add(s);
            return s.equals("first") ? stage : CompletableFuture.completedFuture(null);
        });
        CompletableFuture<Boolean> first = p.emitAsync(S, "first");
        CompletableFuture<Boolean> second = p.emitAsync(S, "second");
        awaitStarted(started, 1);

        CompletableFuture<Void> barrier = dispatcher.barrier(P);
        CompletableFuture<Void> unrelated = dispatcher.barrier("q"::equals);
        unrelated.get(10, TimeUnit.SECONDS); // not its processor's async listener: not waited for
        assertThat(barrier).isNotDone();
        stage.complete(null);

        barrier.get(10, TimeUnit.SECONDS);
        assertThat(first).isCompleted();
        assertThat(second).isCompleted();
        assertThat(started).containsExactly("first", "second");
    }

    @Test
    void async_closedAndTerminated_completesAtOnce() {
        AsyncDispatcher dispatcher = track(AsyncDispatcher.builder().threadName("barrier-loop").build());
        dispatcher.close();

        assertThat(dispatcher.barrier(P)).isCompleted();
    }

    @Test
    void async_pendingWhenTheLoopDies_completes() throws Exception {
        AsyncDispatcher dispatcher = track(AsyncDispatcher.builder().threadName("barrier-loop").build());
        TestProcessor p = new TestProcessor("p", dispatcher);
        CountDownLatch entered = new CountDownLatch(1);
        p.on(S, s -> {
            entered.countDown();
            release.await(10, TimeUnit.SECONDS);
            throw new OutOfMemoryError("the loop dies");
        });
        p.emit(S, "dies");
        p.emit(S, "never delivered");
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> barrier = dispatcher.barrier(P);
        assertThat(barrier).isNotDone();
        release.countDown();

        barrier.get(10, TimeUnit.SECONDS);
        assertThat(dispatcher.barrier(P)).as("dead: at once").isCompleted();
    }

    @Test
    void sync_withoutBusyAsyncListeners_completesAtOnce() {
        SyncDispatcher dispatcher = track(new SyncDispatcher());
        TestProcessor p = new TestProcessor("p", dispatcher);
        p.on(S, s -> { });
        p.emit(S, "x");

        assertThat(dispatcher.barrier(P)).isCompleted();
    }

    @Test
    void sync_withAnAsyncListenerInFlight_completesOnTheThreadThatCompletesItsStage_orWhenClosed() throws Exception {
        SyncDispatcher dispatcher = track(new SyncDispatcher());
        TestProcessor p = new TestProcessor("p", dispatcher);
        CompletableFuture<Void> stage = new CompletableFuture<>();
        p.onAsync(S, s -> s.equals("first") ? stage : CompletableFuture.completedFuture(null));
        p.emitAsync(S, "first");
        p.emitAsync(S, "second");

        CompletableFuture<Void> barrier = dispatcher.barrier(P);
        CompletableFuture<Void> alongside = dispatcher.barrier(P);
        assertThat(barrier).isNotDone();
        assertThat(dispatcher.barrier("q"::equals)).isCompleted();
        Thread completer = new Thread(() -> stage.complete(null), "barrier-completer");
        completer.start();
        completer.join(10_000);

        assertThat(barrier).isCompleted();
        assertThat(alongside).as("every barrier waiting for it").isCompleted();

        CompletableFuture<Void> never = new CompletableFuture<>();
        p.onAsync(Event.of("t", String.class), t -> never);
        p.emit(Event.of("t", String.class), "stuck");
        CompletableFuture<Void> stuck = dispatcher.barrier(P);
        assertThat(stuck).isNotDone();
        dispatcher.close();
        assertThat(stuck).as("closed: nothing more to wait for").isCompleted();
    }

    /** {@code p}'s listener: each message counts {@code entered} down, waits for the release, then is heard. */
    private void listenHeld(TestProcessor p, CountDownLatch entered, List<String> heard) {
        p.on(S, s -> {
            entered.countDown();
            release.await(10, TimeUnit.SECONDS);
            heard.add(s);
        });
    }

    private static void awaitStarted(List<String> started, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (started.size() < count) {
            assertThat(System.nanoTime()).as("started within 10 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
