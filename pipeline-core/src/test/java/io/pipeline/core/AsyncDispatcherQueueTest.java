package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The AsyncDispatcher's queue under pressure: overflow policies, blocking, closing (lock-free ring). */
class AsyncDispatcherQueueTest {
    static final Event<Integer> NUMBER = Event.of("number", Integer.class);
    static final Event<Integer> ECHO = Event.of("echo", Integer.class);

    static final class Emitter extends Processor {
        Emitter(String name, MessageHandler handler) {
            super(name, handler);
        }
    }

    /** Runs each task on a new thread: blocked emitters must not starve a shared pool. */
    private static final java.util.concurrent.Executor NEW_THREAD = r -> new Thread(r, "test-emitter").start();

    /** Registers a listener that records numbers and holds the loop on the first one until released. */
    private static CountDownLatch holdLoop(Emitter e, List<Integer> seen, CountDownLatch entered) {
        CountDownLatch release = new CountDownLatch(1);
        e.on(NUMBER, n -> {
            seen.add(n);
            if (n == 0) {
                entered.countDown();
                release.await(5, TimeUnit.SECONDS);
            }
        });
        return release;
    }

    @Test
    void dropNewest_whenFull_discardsTheNewMessage_andFailsItsFuture() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        try (AsyncDispatcher d = AsyncDispatcher.builder().capacity(2).overflow(Overflow.DROP_NEWEST).build()) {
            Emitter e = new Emitter("e", d);
            CountDownLatch release = holdLoop(e, seen, entered);
            e.emit(NUMBER, 0);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            e.emit(NUMBER, 1);
            e.emit(NUMBER, 2);
            CompletableFuture<Boolean> dropped = e.emitAsync(NUMBER, 3);
            assertThat(d.queueSize()).isEqualTo(2);
            assertThat(d.dropped()).isEqualTo(1);
            assertThatThrownBy(() -> dropped.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(RejectedExecutionException.class);
            release.countDown();
        }
        assertThat(seen).containsExactly(0, 1, 2);
    }

    @Test
    void dropOldest_whenFull_discardsTheOldestQueued_andFailsItsFuture() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        try (AsyncDispatcher d = AsyncDispatcher.builder().capacity(2).overflow(Overflow.DROP_OLDEST).build()) {
            Emitter e = new Emitter("e", d);
            CountDownLatch release = holdLoop(e, seen, entered);
            e.emit(NUMBER, 0);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Boolean> oldest = e.emitAsync(NUMBER, 1);
            e.emit(NUMBER, 2);
            e.emit(NUMBER, 3);
            assertThat(d.queueSize()).isEqualTo(2);
            assertThat(d.dropped()).isEqualTo(1);
            assertThatThrownBy(() -> oldest.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(RejectedExecutionException.class);
            release.countDown();
        }
        assertThat(seen).containsExactly(0, 2, 3);
    }

    @Test
    void fail_whenFull_throwsWithCapacityAndEvent() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        try (AsyncDispatcher d = AsyncDispatcher.builder().capacity(1).overflow(Overflow.FAIL).build()) {
            Emitter e = new Emitter("e", d);
            CountDownLatch release = holdLoop(e, seen, entered);
            e.emit(NUMBER, 0);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            e.emit(NUMBER, 1);
            assertThatThrownBy(() -> e.emit(NUMBER, 2))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("capacity 1")
                    .hasMessageContaining("'number'");
            release.countDown();
        }
        assertThat(seen).containsExactly(0, 1);
    }

    @Test
    void block_emitterWaitingOnFullQueue_isReleasedWhenRoomIsFreed() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        try (AsyncDispatcher d = AsyncDispatcher.builder().capacity(1).build()) {
            Emitter e = new Emitter("e", d);
            CountDownLatch release = holdLoop(e, seen, entered);
            e.emit(NUMBER, 0);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            e.emit(NUMBER, 1);
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> e.emit(NUMBER, 2), NEW_THREAD);
            assertThat(blocked).isNotDone();
            release.countDown();
            blocked.get(5, TimeUnit.SECONDS);
        }
        assertThat(seen).containsExactly(0, 1, 2);
    }

    @Test
    void block_emitterWaitingOnFullQueue_getsIllegalStateOnClose_andAcceptedMessagesAreDelivered() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        AsyncDispatcher d = AsyncDispatcher.builder().capacity(1).build();
        Emitter e = new Emitter("e", d);
        CountDownLatch release = holdLoop(e, seen, entered);
        e.emit(NUMBER, 0);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        e.emit(NUMBER, 1);
        CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> e.emit(NUMBER, 2), NEW_THREAD);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(d::close, NEW_THREAD);
        assertThatThrownBy(() -> blocked.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        release.countDown();
        closing.get(5, TimeUnit.SECONDS);
        assertThat(d.isTerminated()).isTrue();
        assertThat(seen).containsExactly(0, 1);
        assertThatThrownBy(() -> e.emit(NUMBER, 3)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void emitOnLoopThread_whileQueueIsFull_neverBlocks() throws Exception {
        List<Integer> echoes = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (AsyncDispatcher d = AsyncDispatcher.builder().capacity(1).build()) {
            Emitter e = new Emitter("e", d);
            e.on(NUMBER, n -> {
                if (n == 0) {
                    entered.countDown();
                    release.await(5, TimeUnit.SECONDS);
                }
                for (int i = 0; i < 10; i++) {
                    e.emit(ECHO, n * 100 + i);
                }
            });
            e.on(ECHO, echoes::add);
            e.emit(NUMBER, 0);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            e.emit(NUMBER, 1);
            release.countDown();
        }
        assertThat(echoes).hasSize(20);
        assertThat(echoes.subList(0, 10)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void manyProducers_closeDeliversEveryAcceptedMessage_inPerProducerOrder() throws Exception {
        int producers = 3;
        int each = 20_000;
        List<int[]> seen = new CopyOnWriteArrayList<>();
        int[] next = new int[producers];
        AsyncDispatcher d = AsyncDispatcher.builder().capacity(64).build();
        Emitter[] emitters = new Emitter[producers];
        for (int p = 0; p < producers; p++) {
            emitters[p] = new Emitter("p" + p, d);
            int id = p;
            emitters[p].on(NUMBER, n -> {
                if (n != next[id]) {
                    seen.add(new int[] {id, n});
                }
                next[id]++;
            });
        }
        List<CompletableFuture<Void>> running = new java.util.ArrayList<>();
        for (int p = 0; p < producers; p++) {
            Emitter e = emitters[p];
            running.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < each; i++) {
                    e.emit(NUMBER, i);
                }
            }, NEW_THREAD));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        d.close();
        assertThat(seen).as("out-of-order deliveries").isEmpty();
        assertThat(next).containsOnly(each);
        assertThat(d.isTerminated()).isTrue();
    }
}
