package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BoundedRingTest {

    /** Takes up to half the array's length in pairs, as target, payload, target, payload… */
    private static int drain(BoundedRing<Object> ring, Object[] batch) {
        int[] k = {0};
        return ring.drain((target, payload) -> {
            batch[k[0]++] = target;
            batch[k[0]++] = payload;
        }, batch.length / 2);
    }

    private static List<Object> drainAll(BoundedRing<Object> ring) {
        List<Object> out = new ArrayList<>();
        Object[] batch = new Object[8];
        int n;
        while ((n = drain(ring, batch)) > 0) {
            for (int i = 0; i < n; i++) {
                out.add(batch[2 * i]);
                out.add(batch[2 * i + 1]);
            }
        }
        return out;
    }

    @Test
    void constructor_rejectsNonPositiveCapacity() {
        assertThatThrownBy(() -> new BoundedRing<>(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity <= 0: 0");
    }

    @ParameterizedTest(name = "soleTaker={0}")
    @ValueSource(booleans = {false, true})
    void drain_returnsPairsInOfferOrder_acrossManyLaps(boolean soleTaker) {
        BoundedRing<Object> ring = new BoundedRing<>(5, soleTaker); // not a power of two: positions wrap by modulo
        List<Object> seen = new ArrayList<>();
        for (int lap = 0; lap < 7; lap++) {
            for (int i = 0; i < 3; i++) {
                assertThat(ring.offer("t" + (lap * 3 + i), lap * 3 + i)).isEqualTo(BoundedRing.OK);
            }
            seen.addAll(drainAll(ring));
        }
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            expected.add("t" + i);
            expected.add(i);
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(ring.size()).isZero();
    }

    @ParameterizedTest(name = "soleTaker={0}")
    @ValueSource(booleans = {false, true})
    void offer_whenFull_returnsFullAndSizeStaysAtCapacity(boolean soleTaker) {
        BoundedRing<Object> ring = new BoundedRing<>(4, soleTaker);
        for (int i = 0; i < 4; i++) {
            assertThat(ring.offer("t", i)).isEqualTo(BoundedRing.OK);
        }
        assertThat(ring.offer("t", 4)).isEqualTo(BoundedRing.FULL);
        assertThat(ring.size()).isEqualTo(4);

        Object[] one = new Object[2];
        assertThat(drain(ring, one)).isEqualTo(1);
        assertThat(one[1]).isEqualTo(0);
        assertThat(ring.offer("t", 4)).isEqualTo(BoundedRing.OK);
        assertThat(ring.offer("t", 5)).isEqualTo(BoundedRing.FULL);
        assertThat(drainAll(ring)).containsExactly("t", 1, "t", 2, "t", 3, "t", 4);
    }

    @ParameterizedTest(name = "soleTaker={0}")
    @ValueSource(booleans = {false, true})
    void capacityOne_holdsOnePair_andStaysFifoAcrossLaps(boolean soleTaker) {
        BoundedRing<Object> ring = new BoundedRing<>(1, soleTaker);
        for (int i = 0; i < 5; i++) {
            assertThat(ring.offer("t", i)).isEqualTo(BoundedRing.OK);
            assertThat(ring.offer("t", -1)).isEqualTo(BoundedRing.FULL);
            assertThat(ring.size()).isEqualTo(1);
            assertThat(drainAll(ring)).containsExactly("t", i);
        }
    }

    @ParameterizedTest(name = "soleTaker={0}")
    @ValueSource(booleans = {false, true})
    void drain_freesEachSlotBeforeHandingThePairOver_andTakesTheNextOnlyAfter(boolean soleTaker) {
        BoundedRing<Object> ring = new BoundedRing<>(2, soleTaker);
        ring.offer("a", 1);
        ring.offer("b", 2);
        List<Object> seen = new ArrayList<>();
        int taken = ring.drain((target, payload) -> {
            seen.add(target);
            if (target.equals("a")) {
                assertThat(ring.size()).isEqualTo(1);
                assertThat(ring.offer("c", 3)).isEqualTo(BoundedRing.OK); // a's slot is free
                assertThat(ring.offer("d", 4)).isEqualTo(BoundedRing.FULL); // b is still queued, and droppable
            }
        }, 1);

        assertThat(taken).isEqualTo(1);
        assertThat(seen).containsExactly("a");
        assertThat(ring.pollOldest()).isEqualTo("b");
        assertThat(drainAll(ring)).containsExactly("c", 3);
    }

    @ParameterizedTest(name = "soleTaker={0}")
    @ValueSource(booleans = {false, true})
    void drain_takesAtMostMax(boolean soleTaker) {
        BoundedRing<Object> ring = new BoundedRing<>(8, soleTaker);
        for (int i = 0; i < 6; i++) {
            ring.offer("t", i);
        }
        Object[] batch = new Object[4];
        assertThat(drain(ring, batch)).isEqualTo(2);
        assertThat(batch).containsExactly("t", 0, "t", 1);
        assertThat(ring.size()).isEqualTo(4);
    }

    @ParameterizedTest(name = "soleTaker={0}")
    @ValueSource(booleans = {false, true})
    void pollOldest_removesTheHeadTarget_thenFreesItsSlot(boolean soleTaker) {
        BoundedRing<Object> ring = new BoundedRing<>(2, soleTaker);
        ring.offer("a", 1);
        ring.offer("b", 2);
        assertThat(ring.pollOldest()).isEqualTo("a");
        assertThat(ring.offer("c", 3)).isEqualTo(BoundedRing.OK);
        assertThat(drainAll(ring)).containsExactly("b", 2, "c", 3);
        assertThat(ring.pollOldest()).isNull();
    }

    @ParameterizedTest(name = "soleTaker={0}")
    @ValueSource(booleans = {false, true})
    void close_rejectsLaterOffers_butKeepsAcceptedPairsUntilDrained(boolean soleTaker) {
        BoundedRing<Object> ring = new BoundedRing<>(4, soleTaker);
        ring.offer("a", 1);
        ring.close();
        ring.close();
        assertThat(ring.isClosed()).isTrue();
        assertThat(ring.offer("b", 2)).isEqualTo(BoundedRing.CLOSED);
        assertThat(ring.isDrained()).isFalse();
        assertThat(ring.size()).isEqualTo(1);
        assertThat(drainAll(ring)).containsExactly("a", 1);
        assertThat(ring.isDrained()).isTrue();
    }

    @ParameterizedTest(name = "soleTaker={0}")
    @ValueSource(booleans = {false, true})
    void concurrentProducers_loseNothing_keepPerProducerOrder_neverExceedCapacity(boolean soleTaker)
            throws Exception {
        int producers = 3;
        int perProducer = 30_000;
        int capacity = 64;
        BoundedRing<Object> ring = new BoundedRing<>(capacity, soleTaker);
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger fullSeen = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                Integer id = p;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perProducer; i++) {
                        while (ring.offer(id, i) == BoundedRing.FULL) {
                            fullSeen.incrementAndGet();
                            Thread.yield(); // four busy threads on two cores: give the consumer the core
                        }
                    }
                    return null;
                }));
            }
            int[] next = new int[producers];
            Object[] batch = new Object[32];
            int received = 0;
            int maxSize = 0;
            start.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received < producers * perProducer) {
                assertThat(System.nanoTime()).as("consumer deadline").isLessThan(deadline);
                maxSize = Math.max(maxSize, ring.size());
                int n = drain(ring, batch);
                for (int k = 0; k < n; k++) {
                    int producer = (Integer) batch[2 * k];
                    int value = (Integer) batch[2 * k + 1];
                    assertThat(value).as("producer %d order", producer).isEqualTo(next[producer]);
                    next[producer]++;
                }
                received += n;
                if (n == 0) {
                    Thread.yield();
                }
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.SECONDS);
            }
            assertThat(next).containsOnly(perProducer);
            assertThat(maxSize).isLessThanOrEqualTo(capacity);
            assertThat(ring.size()).isZero();
        } finally {
            pool.shutdownNow();
            // not asserted here: a failure above must not be hidden by the producers' late end
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(pool.isTerminated()).as("producer threads ended").isTrue();
    }

    @ParameterizedTest(name = "soleTaker={0}")
    @ValueSource(booleans = {false, true})
    void closeWhileProducing_everyAcceptedPairIsDrained(boolean soleTaker) throws Exception {
        BoundedRing<Object> ring = new BoundedRing<>(1024, soleTaker);
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch producing = new CountDownLatch(2);
        Thread[] producers = new Thread[2];
        for (int p = 0; p < producers.length; p++) {
            producers[p] = new Thread(() -> {
                producing.countDown();
                int result;
                do {
                    result = ring.offer("t", 0);
                    if (result == BoundedRing.OK) {
                        accepted.incrementAndGet();
                    }
                } while (result != BoundedRing.CLOSED);
            }, "ring-producer-" + p);
            producers[p].start();
        }
        assertThat(producing.await(5, TimeUnit.SECONDS)).isTrue();
        int taken = 0;
        Object[] batch = new Object[64];
        for (int i = 0; i < 1_000; i++) {
            taken += drain(ring, batch);
        }
        ring.close();
        for (Thread producer : producers) {
            producer.join(5_000);
            assertThat(producer.isAlive()).isFalse();
        }
        while (!ring.isDrained()) {
            taken += drain(ring, batch);
        }
        assertThat(taken).isEqualTo(accepted.get());
    }

    @ParameterizedTest(name = "soleTaker={0}")
    @ValueSource(booleans = {false, true})
    void roomFor_isTrueOnlyOnceTheSlotsAheadWereFreed(boolean soleTaker) {
        BoundedRing<Object> ring = new BoundedRing<>(8, soleTaker);
        assertThat(ring.roomFor(8)).isTrue();
        for (int i = 0; i < 8; i++) {
            ring.offer("t", i);
        }
        assertThat(ring.roomFor(1)).isFalse();
        Object[] three = new Object[6];
        assertThat(drain(ring, three)).isEqualTo(3);
        assertThat(ring.roomFor(3)).isTrue();
        assertThat(ring.roomFor(4)).isFalse();
        assertThat(ring.offer("t", 8)).isEqualTo(BoundedRing.OK);
        assertThat(ring.roomFor(2)).isTrue();
        assertThat(ring.roomFor(3)).isFalse();
        ring.close();
        assertThat(ring.roomFor(1)).as("closed: the next offer reports it").isTrue();
        assertThat(ring.offer("t", 9)).isEqualTo(BoundedRing.CLOSED);
    }

    @Test
    void soleTaker_freesEveryPositionOnce_acrossManyLaps_withTheLimitCached() {
        BoundedRing<Object> ring = new BoundedRing<>(3, true); // not a power of two, and laps the cached limit
        List<Object> seen = new ArrayList<>();
        int next = 0;
        for (int round = 0; round < 50; round++) {
            while (ring.offer("t", next) == BoundedRing.OK) {
                next++;
            }
            assertThat(ring.size()).isEqualTo(3);
            Object[] some = new Object[2 * (1 + round % 3)];
            int n = drain(ring, some);
            for (int i = 0; i < n; i++) {
                seen.add(some[2 * i + 1]);
            }
        }
        seen.addAll(drainAll(ring).stream().filter(x -> x instanceof Integer).toList());
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < next; i++) {
            expected.add(i);
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(ring.pollOldest()).isNull();
    }
}
