package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Overflow;
import io.pipeline.core.Processor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link AsyncDispatcher} attacked through the public API. */
class AsyncDispatcherAdversarialTest {
    private static final Event<Integer> N = Event.of("n", Integer.class);
    private static final Event<String> S = Event.of("s", String.class);

    private final List<AsyncDispatcher> dispatchers = new ArrayList<>();

    private AsyncDispatcher dispatcher(int capacity, Overflow overflow) {
        AsyncDispatcher dispatcher = AsyncDispatcher.builder().capacity(capacity).overflow(overflow)
                .threadName("adv-dispatcher-" + dispatchers.size()).build();
        dispatchers.add(dispatcher);
        return dispatcher;
    }

    @AfterEach
    void closeAll() {
        dispatchers.forEach(AsyncDispatcher::close);
        for (AsyncDispatcher dispatcher : dispatchers) {
            assertThat(dispatcher.isTerminated()).isTrue();
        }
        assertThat(Threads.alive("adv-dispatcher-")).isEmpty();
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("timed out");
        }
    }

    @Test
    void dropOldest_stalledConsumer_deliversAtMostCapacityPlusOne_lastBeingTheNewest() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(100, Overflow.DROP_OLDEST);
        Plain p = new Plain("p", dispatcher);
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> got = new CopyOnWriteArrayList<>();
        p.on(N, n -> {
            got.add(n);
            if (n == 0) {
                first.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
        });
        p.emit(N, 0);
        await(first);
        for (int i = 1; i <= 10_000; i++) {
            p.emit(N, i);
        }
        release.countDown();
        CompletableFuture<Boolean> last = p.emitAsync(N, 10_001);
        last.get(10, TimeUnit.SECONDS);
        assertThat(got.size()).isLessThanOrEqualTo(102);
        assertThat(got.get(got.size() - 1)).isEqualTo(10_001);
        assertThat(got.get(got.size() - 2)).isEqualTo(10_000);
        assertThat(got).isSorted();
    }

    @Test
    void listenerThrowingInterrupted_nextListenerRunsNotInterrupted() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(16, Overflow.BLOCK);
        Plain p = new Plain("p", dispatcher);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<Boolean> interrupted = new CopyOnWriteArrayList<>();
        p.on(Processor.ERROR, errors::add);
        p.on(N, n -> {
            if (n == 0) {
                Thread.currentThread().interrupt();
                throw new InterruptedException("listener");
            }
            interrupted.add(Thread.currentThread().isInterrupted());
        });
        p.emit(N, 0);
        p.emitAsync(N, 1).get(10, TimeUnit.SECONDS);
        assertThat(interrupted).containsExactly(false);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).hasRootCauseInstanceOf(InterruptedException.class);
    }

    @Test
    void asyncStageFailingWithInterrupted_leavesLoopNotInterrupted() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(16, Overflow.BLOCK);
        Plain p = new Plain("p", dispatcher);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<Boolean> interrupted = new CopyOnWriteArrayList<>();
        p.on(Processor.ERROR, errors::add);
        p.onAsync(N, n -> CompletableFuture.failedFuture(new InterruptedException("stage")));
        p.on(S, s -> interrupted.add(Thread.currentThread().isInterrupted()));
        p.emitAsync(N, 0).get(10, TimeUnit.SECONDS);
        p.emitAsync(S, "after").get(10, TimeUnit.SECONDS);
        assertThat(interrupted).containsExactly(false);
        assertThat(errors).hasSize(1);
    }

    @Test
    void listenerThrowingStackOverflow_isAnErrorEvent_andDeliveryGoesOn() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(16, Overflow.BLOCK);
        Plain p = new Plain("p", dispatcher);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<Integer> got = new CopyOnWriteArrayList<>();
        p.on(Processor.ERROR, errors::add);
        p.on(N, n -> {
            if (n == 0) {
                throw new StackOverflowError("listener");
            }
            got.add(n);
        });
        p.emit(N, 0);
        p.emitAsync(N, 1).get(10, TimeUnit.SECONDS);
        assertThat(got).containsExactly(1);
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasRootCauseInstanceOf(StackOverflowError.class));
        assertThat(dispatcher.isClosed()).isFalse();
    }

    @Test
    void endlessListenerCycle_isReportedNotCrashing_andLaterMessagesArrive() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(16, Overflow.BLOCK);
        Plain a = new Plain("a", dispatcher);
        Plain b = new Plain("b", dispatcher);
        AtomicInteger hops = new AtomicInteger();
        a.on(N, n -> {
            if (hops.incrementAndGet() < 200_000) {
                b.emit(N, n + 1);
            }
        });
        b.on(N, n -> a.emit(N, n + 1));
        List<String> after = new CopyOnWriteArrayList<>();
        a.on(S, after::add);
        a.emit(N, 0);
        a.emitAsync(S, "after").get(10, TimeUnit.SECONDS);
        assertThat(hops.get()).isEqualTo(200_000);
        assertThat(after).containsExactly("after");
    }

    @Test
    void listenerOutOfMemory_killsLoudly_laterEmitsThrow_blockedProducerReleased() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1, Overflow.BLOCK);
        Plain p = new Plain("p", dispatcher);
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        p.on(N, n -> {
            if (n == 0) {
                first.countDown();
                release.await(10, TimeUnit.SECONDS);
                throw new OutOfMemoryError("listener");
            }
        });
        p.emit(N, 0);
        await(first);
        p.emit(N, 1); // fills the queue
        AtomicReference<Throwable> blocked = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                p.emit(N, 2);
            } catch (Throwable e) {
                blocked.set(e);
            }
        }, "adv-producer");
        producer.start();
        Threads.awaitBlockedOrDone(producer);
        release.countDown();
        Threads.awaitEnd(producer);
        assertThat(blocked.get()).isInstanceOf(IllegalStateException.class)
                .hasRootCauseInstanceOf(OutOfMemoryError.class);
        assertThat(dispatcher.isClosed()).isTrue();
        assertThatThrownBy(() -> p.emit(N, 3)).isInstanceOf(IllegalStateException.class);
        CompletableFuture<Boolean> async;
        try {
            async = p.emitAsync(N, 4);
            assertThat(async).failsWithin(10, TimeUnit.SECONDS);
        } catch (IllegalStateException expected) {
            // fine: loud
        }
    }

    @Test
    void listenerClosingItsDispatcher_stillDeliversWhatWasAccepted() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(64, Overflow.BLOCK);
        Plain p = new Plain("p", dispatcher);
        CountDownLatch gate = new CountDownLatch(1);
        List<Integer> got = new CopyOnWriteArrayList<>();
        p.on(N, n -> {
            if (n == 0) {
                gate.await(10, TimeUnit.SECONDS);
                dispatcher.close();
                p.emit(N, 100); // a listener may still emit while closing
            }
            got.add(n);
        });
        p.emit(N, 0);
        for (int i = 1; i <= 20; i++) {
            p.emit(N, i);
        }
        gate.countDown();
        dispatcher.close();
        assertThat(dispatcher.isTerminated()).isTrue();
        assertThat(got).contains(100).containsAll(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                17, 18, 19, 20));
        assertThatThrownBy(() -> p.emit(N, 21)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void emitAfterClose_throws_alsoErrorsAndEmitAsync() {
        AsyncDispatcher dispatcher = dispatcher(4, Overflow.BLOCK);
        Plain p = new Plain("p", dispatcher);
        p.on(N, n -> {});
        p.on(Processor.ERROR, e -> {});
        dispatcher.close();
        assertThatThrownBy(() -> p.emit(N, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> p.emit(Processor.ERROR, new RuntimeException("x")))
                .isInstanceOf(IllegalStateException.class);
        try {
            assertThat(p.emitAsync(N, 1)).failsWithin(10, TimeUnit.SECONDS);
        } catch (IllegalStateException expected) {
            // fine
        }
    }

    @Test
    void errorEmitAsync_onFullBlockQueue_neitherBlocksNorDrops() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1, Overflow.BLOCK);
        Plain p = new Plain("p", dispatcher);
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        p.on(Processor.ERROR, errors::add);
        p.on(N, n -> {
            if (n == 0) {
                first.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
        });
        p.emit(N, 0);
        await(first);
        p.emit(N, 1);
        AtomicReference<CompletableFuture<Boolean>> future = new AtomicReference<>();
        Thread emitter = new Thread(() -> future.set(p.emitAsync(Processor.ERROR, new RuntimeException("e"))),
                "adv-error-emitter");
        emitter.start();
        emitter.join(10_000);
        boolean blockedForTenSeconds = emitter.isAlive();
        release.countDown();
        Threads.awaitEnd(emitter);
        assertThat(blockedForTenSeconds).isFalse();
        assertThat(future.get().get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(errors).hasSize(1);
    }

    @Test
    void hugeCapacity_isRejectedNamingTheValue_andTheMaximumBuilds() {
        assertThatThrownBy(() -> AsyncDispatcher.builder().capacity(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(Integer.MAX_VALUE));
        AsyncDispatcher max = dispatcher(AsyncDispatcher.MAX_CAPACITY, Overflow.BLOCK);
        assertThat(max.capacity()).isEqualTo(AsyncDispatcher.MAX_CAPACITY);
    }

    @Test
    void nestedEmits_pastAnyDepth_keepEmissionOrderPerListener() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(64, Overflow.BLOCK);
        Plain chain = new Plain("chain", dispatcher);
        Plain sink = new Plain("sink", dispatcher);
        AtomicLong emitted = new AtomicLong();
        List<Long> seen = new CopyOnWriteArrayList<>();
        Event<Long> stamp = Event.of("stamp", Long.class);
        sink.on(stamp, seen::add);
        chain.on(N, depth -> {
            sink.emit(stamp, emitted.incrementAndGet()); // before going deeper
            if (depth < 100) {
                chain.emit(N, depth + 1);
            }
            sink.emit(stamp, emitted.incrementAndGet()); // after coming back
        });
        chain.emit(N, 1);
        chain.emit(N, 1);
        sink.emitAsync(stamp, Long.MAX_VALUE).get(10, TimeUnit.SECONDS);
        assertThat(seen).hasSize(401).isSorted();
    }

    @Test
    void closeFromTwoThreads_whileFourProducersEmit_losesNothingAccepted() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(32, Overflow.BLOCK);
        Plain p = new Plain("p", dispatcher);
        AtomicLong delivered = new AtomicLong();
        p.on(N, n -> delivered.incrementAndGet());
        AtomicLong accepted = new AtomicLong();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(4);
        ExecutorService producers = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            producers.execute(() -> {
                running.countDown();
                try {
                    for (int i = 0; ; i++) {
                        p.emit(N, i);
                        accepted.incrementAndGet();
                    }
                } catch (IllegalStateException closed) {
                    // the end
                } catch (Throwable e) {
                    unexpected.set(e);
                }
            });
        }
        await(running);
        while (accepted.get() < 10_000) {
            Thread.onSpinWait();
        }
        Thread closer = new Thread(dispatcher::close, "adv-closer");
        closer.start();
        dispatcher.close();
        Threads.awaitEnd(closer);
        producers.shutdown();
        assertThat(producers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(unexpected.get()).isNull();
        assertThat(delivered.get()).isEqualTo(accepted.get());
    }

    @Test
    void asyncListenerBacklog_isDeliveredInOrder_andCloseWaitsForIt() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1024, Overflow.BLOCK);
        Plain p = new Plain("p", dispatcher);
        ExecutorService completer = Executors.newSingleThreadExecutor();
        List<Integer> handled = new CopyOnWriteArrayList<>();
        p.onAsync(N, n -> CompletableFuture.runAsync(() -> handled.add(n), completer));
        for (int i = 0; i < 5_000; i++) {
            p.emit(N, i);
        }
        dispatcher.close();
        completer.shutdown();
        assertThat(handled).hasSize(5_000).isSorted();
    }

    @Test
    void blockedProducer_isReleasedWhenTheDispatcherCloses() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1, Overflow.BLOCK);
        Plain p = new Plain("p", dispatcher);
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> got = new CopyOnWriteArrayList<>();
        p.on(N, n -> {
            if (n == 0) {
                first.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
            got.add(n);
        });
        p.emit(N, 0);
        await(first);
        p.emit(N, 1);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        AtomicBoolean returned = new AtomicBoolean();
        Thread producer = new Thread(() -> {
            try {
                p.emit(N, 2);
                returned.set(true);
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "adv-producer");
        producer.start();
        Threads.awaitBlockedOrDone(producer);
        Thread closer = new Thread(dispatcher::close, "adv-closer");
        closer.start();
        Threads.awaitEnd(producer);
        release.countDown();
        Threads.awaitEnd(closer);
        if (returned.get()) {
            assertThat(got).containsExactly(0, 1, 2);
        } else {
            assertThat(outcome.get()).isInstanceOf(IllegalStateException.class);
            assertThat(got).containsExactly(0, 1);
        }
    }
}
