package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What an AsyncDispatcher's capacity bounds, how DROP_OLDEST chooses, fairness among blocked producers. */
class AsyncDispatcherBoundsTest {
    static final Event<Integer> NUMBER = Event.of("number", Integer.class);
    static final Event<String> WORD = Event.of("word", String.class);
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static AsyncDispatcher dispatcher(int capacity, Overflow overflow) {
        return AsyncDispatcher.builder().capacity(capacity).overflow(overflow)
                .threadName("bounds-dispatcher-" + NAMES.incrementAndGet()).build();
    }

    /**
     * Holds the loop on message -1 (the gate) while the queue fills with 0..capacity-1, then lets it go and holds it
     * again on message 0: the loop has taken 0 and everything else is still undelivered.
     */
    private static final class MidBatchStall {
        final CountDownLatch atGate = new CountDownLatch(1);
        final CountDownLatch openGate = new CountDownLatch(1);
        final CountDownLatch atZero = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Integer> delivered = new CopyOnWriteArrayList<>();

        MidBatchStall(AsyncDispatcher dispatcher, TestProcessor source) throws InterruptedException {
            source.on(NUMBER, n -> {
                if (n == -1) {
                    atGate.countDown();
                    openGate.await(10, TimeUnit.SECONDS);
                } else if (n == 0) {
                    atZero.countDown();
                    release.await(10, TimeUnit.SECONDS);
                }
                delivered.add(n);
            });
            source.emit(NUMBER, -1);
            assertThat(atGate.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < dispatcher.capacity(); i++) {
                source.emit(NUMBER, i);
            }
            openGate.countDown();
            assertThat(atZero.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void capacity_boundsEverythingNotYetDelivered_alsoWhileTheLoopWorksThroughWhatItTook() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(100, Overflow.FAIL);
        TestProcessor source = new TestProcessor("source", dispatcher);
        MidBatchStall stall = new MidBatchStall(dispatcher, source);

        int accepted = 0;
        for (int i = 100; i < 300; i++) {
            try {
                source.emit(NUMBER, i);
                accepted++;
            } catch (RejectedExecutionException full) {
                break;
            }
        }
        stall.release.countDown();
        dispatcher.close();

        // 1..99 were accepted and not yet delivered while 0 was being delivered: room for one more, no more.
        assertThat(accepted).isEqualTo(1);
        assertThat(stall.delivered).containsExactlyElementsOf(IntStream.rangeClosed(-1, 100).boxed().toList());
    }

    @Test
    void dropOldest_withAStalledConsumer_deliversOnlyTheNewest_capacityPlusTheOneInDelivery() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(100, Overflow.DROP_OLDEST);
        TestProcessor source = new TestProcessor("source", dispatcher);
        MidBatchStall stall = new MidBatchStall(dispatcher, source);

        for (int i = 100; i < 10_100; i++) {
            source.emit(NUMBER, i);
        }
        stall.release.countDown();
        dispatcher.close();

        List<Integer> expected = new ArrayList<>(List.of(-1, 0));
        IntStream.range(10_000, 10_100).forEach(expected::add);
        assertThat(stall.delivered).containsExactlyElementsOf(expected);
        assertThat(dispatcher.dropped()).isEqualTo(10_000 - 1);
    }

    @Test
    void dropOldest_failsTheFutureOfTheDroppedMessage() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(2, Overflow.DROP_OLDEST);
        TestProcessor source = new TestProcessor("source", dispatcher);
        MidBatchStall stall = new MidBatchStall(dispatcher, source); // holds 0, queue holds 1

        CompletableFuture<Boolean> oldest = source.emitAsync(NUMBER, 2); // queue: 1, 2
        source.emit(NUMBER, 3); // drops 1
        source.emit(NUMBER, 4); // drops 2

        assertThat(oldest).isCompletedExceptionally();
        stall.release.countDown();
        dispatcher.close();
        assertThat(stall.delivered).containsExactly(-1, 0, 3, 4);
    }

    @Test
    void capacity_aboveTheMaximum_isRejectedWithTheValue_andTheMaximumBuilds() {
        assertThatThrownBy(() -> AsyncDispatcher.builder().capacity(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(Integer.MAX_VALUE))
                .hasMessageContaining(String.valueOf(AsyncDispatcher.MAX_CAPACITY));
        assertThatThrownBy(() -> AsyncDispatcher.builder().capacity(AsyncDispatcher.MAX_CAPACITY + 1))
                .isInstanceOf(IllegalArgumentException.class);

        AsyncDispatcher largest = AsyncDispatcher.builder().capacity(AsyncDispatcher.MAX_CAPACITY).build();
        TestProcessor source = new TestProcessor("source", largest);
        List<String> heard = new CopyOnWriteArrayList<>();
        source.on(WORD, heard::add);
        source.emit(WORD, "fits");
        largest.close();
        assertThat(largest.capacity()).isEqualTo(AsyncDispatcher.MAX_CAPACITY);
        assertThat(heard).containsExactly("fits");
    }

    @Test
    void block_aParkedProducer_isNotStarvedByOneThatKeepsEmitting() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1, Overflow.BLOCK);
        TestProcessor source = new TestProcessor("source", dispatcher);
        Semaphore permits = new Semaphore(0);
        CountDownLatch loopBusy = new CountDownLatch(1);
        List<String> delivered = new CopyOnWriteArrayList<>();
        source.on(WORD, w -> {
            loopBusy.countDown();
            if (!permits.tryAcquire(10, TimeUnit.SECONDS)) {
                throw new AssertionError("no permit");
            }
            delivered.add(w);
        });
        source.emit(WORD, "m0");
        assertThat(loopBusy.await(10, TimeUnit.SECONDS)).isTrue();
        source.emit(WORD, "m1"); // the queue is full
        Thread hog = new Thread(() -> {
            try {
                while (true) {
                    source.emit(WORD, "hog");
                }
            } catch (IllegalStateException closed) {
                // the dispatcher closed: done
            }
        }, "hog");
        hog.start();
        DispatcherContractTest.waitFor(() -> hog.getState() == Thread.State.WAITING);
        CompletableFuture<Void> timerDone = new CompletableFuture<>();
        Thread timer = new Thread(() -> {
            source.emit(WORD, "timer");
            timerDone.complete(null);
        }, "timer");
        timer.start();
        DispatcherContractTest.waitFor(() -> timer.getState() == Thread.State.WAITING);

        permits.release(1_000); // the loop runs freely now, and the hog keeps emitting
        timerDone.get(10, TimeUnit.SECONDS);
        permits.release(1_000_000);
        dispatcher.close();
        hog.join(10_000);

        assertThat(hog.isAlive()).isFalse();
        assertThat(delivered.subList(0, 4)).containsExactly("m0", "m1", "hog", "timer");
    }

    /**
     * Producers that keep finding a tiny queue full spin, park and are signalled over and over: no wake-up may be
     * lost (the loop signals once per sleep of the waiters, not per message), nothing may be lost or reordered, and
     * what was accepted and not yet delivered never exceeds the capacity plus the message in delivery.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "capacity={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3, 64})
    void block_producersThroughAFullQueue_loseNothing_keepTheirOrder_andStayWithinTheBound(int capacity)
            throws Exception {
        AsyncDispatcher dispatcher = dispatcher(capacity, Overflow.BLOCK);
        TestProcessor source = new TestProcessor("source", dispatcher);
        int producers = 3;
        int perProducer = 20_000;
        int[] next = new int[producers];
        AtomicInteger outOfOrder = new AtomicInteger();
        AtomicInteger overBound = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();
        long[] delivering = new long[1];
        CountDownLatch all = new CountDownLatch(producers * perProducer);
        source.on(NUMBER, n -> {
            int producer = n / perProducer;
            if (n % perProducer != next[producer]++) {
                outOfOrder.incrementAndGet();
            }
            // Accepted (counted once emit returned, so never overcounted) and not yet delivered: at most the queue's
            // capacity plus this message.
            if (accepted.get() - (delivering[0]++) > capacity + 1) {
                overBound.incrementAndGet();
            }
            all.countDown();
        });
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            Thread producer = new Thread(() -> {
                for (int i = 0; i < perProducer; i++) {
                    source.emit(NUMBER, base + i);
                    accepted.incrementAndGet();
                }
            }, "bounds-producer-" + p);
            threads.add(producer);
            producer.start();
        }
        assertThat(all.await(60, TimeUnit.SECONDS)).as("every message delivered").isTrue();
        for (Thread producer : threads) {
            producer.join(10_000);
            assertThat(producer.isAlive()).isFalse();
        }
        dispatcher.close();

        assertThat(outOfOrder.get()).isZero();
        assertThat(overBound.get()).isZero();
        assertThat(next).containsOnly(perProducer);
        assertThat(dispatcher.dropped()).isZero();
    }
}
