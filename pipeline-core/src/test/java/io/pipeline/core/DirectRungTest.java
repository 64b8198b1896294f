package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The direct rung of a {@link SyncDispatcher}: a processor keeps a copy of the direct listener of the first topic it
 * emitted to, which that topic keeps current, until it emits another event. These tests check that the copy never
 * outlives a change of listeners, never crosses events, and does not keep a processor alive.
 */
class DirectRungTest {
    private static final Event<String> LEFT = Event.of("left", String.class);
    private static final Event<String> RIGHT = Event.of("right", String.class);

    private final SyncDispatcher handler = new SyncDispatcher();
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() throws InterruptedException {
        handler.close();
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void replacedListener_hearsTheNextEmit_andTheOldOneNoMore() {
        TestProcessor source = new TestProcessor("source", handler);
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        Subscription firstSubscription = source.on(LEFT, first::add);
        for (int i = 0; i < 10_000; i++) {
            source.emit(LEFT, "a");
        }

        firstSubscription.cancel();
        source.on(LEFT, second::add);
        source.emit(LEFT, "b");

        assertThat(first).hasSize(10_000).containsOnly("a");
        assertThat(second).containsExactly("b");
    }

    @Test
    void secondListenerAdded_bothHearTheNextEmit() {
        TestProcessor source = new TestProcessor("source", handler);
        List<String> heard = new ArrayList<>();
        source.on(LEFT, s -> heard.add("1:" + s));
        for (int i = 0; i < 10_000; i++) {
            source.emit(LEFT, "a");
        }
        heard.clear();

        source.on(LEFT, s -> heard.add("2:" + s));
        source.emit(LEFT, "b");

        assertThat(heard).containsExactly("1:b", "2:b");
    }

    @Test
    void dispatcherClosed_directListenerIsNotCalledAnyMore() {
        TestProcessor source = new TestProcessor("source", handler);
        AtomicLong heard = new AtomicLong();
        source.on(LEFT, s -> heard.incrementAndGet());
        for (int i = 0; i < 10_000; i++) {
            source.emit(LEFT, "a");
        }

        handler.close();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> source.emit(LEFT, "late"))
                .isInstanceOf(IllegalStateException.class);
        assertThat(heard).hasValue(10_000);
    }

    @Test
    void twoThreadsEmittingTwoEventsOfOneProcessor_eachListenerHearsOnlyItsOwnEvent_andEveryMessage()
            throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        AtomicLong left = new AtomicLong();
        AtomicLong right = new AtomicLong();
        AtomicLong crossed = new AtomicLong();
        source.on(LEFT, s -> (s.equals("l") ? left : crossed).incrementAndGet());
        source.on(RIGHT, s -> (s.equals("r") ? right : crossed).incrementAndGet());
        int perThread = 200_000;
        CyclicBarrier start = new CyclicBarrier(2);

        onBothThreads(() -> emitAfter(start, source, LEFT, "l", perThread),
                () -> emitAfter(start, source, RIGHT, "r", perThread));

        assertThat(crossed).hasValue(0);
        assertThat(left).hasValue(perThread);
        assertThat(right).hasValue(perThread);
    }

    @Test
    void processorThatEmittedASecondEvent_followsListenerChangesOfBoth() {
        TestProcessor source = new TestProcessor("source", handler);
        List<String> heard = new ArrayList<>();
        Subscription oldLeft = source.on(LEFT, s -> heard.add("old-left:" + s));
        source.on(RIGHT, s -> heard.add("right:" + s));
        for (int i = 0; i < 1_000; i++) {
            source.emit(LEFT, "a");
        }
        source.emit(RIGHT, "b");
        heard.clear();

        oldLeft.cancel();
        source.on(LEFT, s -> heard.add("new-left:" + s));
        source.emit(LEFT, "c");
        source.emit(RIGHT, "d");
        source.emit(LEFT, "e");

        assertThat(heard).containsExactly("new-left:c", "right:d", "new-left:e");
    }

    @Test
    void twoProcessorsOfOneName_bothFollowAReplacedListener() {
        TestProcessor first = new TestProcessor("source", handler);
        TestProcessor second = new TestProcessor("source", handler);
        List<String> heard = new ArrayList<>();
        Subscription old = first.on(LEFT, s -> heard.add("old:" + s));
        first.emit(LEFT, "1");
        second.emit(LEFT, "2");

        old.cancel();
        second.on(LEFT, s -> heard.add("new:" + s));
        first.emit(LEFT, "3");
        second.emit(LEFT, "4");

        assertThat(heard).containsExactly("old:1", "old:2", "new:3", "new:4");
    }

    @Test
    void firstEmitsOfTwoEventsOnTwoThreadsAtOnce_neverCross() throws Exception {
        AtomicLong crossed = new AtomicLong();
        AtomicLong heard = new AtomicLong();
        int rounds = 2_000;
        int perThread = 20;
        CyclicBarrier start = new CyclicBarrier(2);

        for (int round = 0; round < rounds; round++) {
            TestProcessor source = new TestProcessor("source-" + round, handler);
            source.on(LEFT, s -> (s.equals("l") ? heard : crossed).incrementAndGet());
            source.on(RIGHT, s -> (s.equals("r") ? heard : crossed).incrementAndGet());
            onBothThreads(() -> emitAfter(start, source, LEFT, "l", perThread),
                    () -> emitAfter(start, source, RIGHT, "r", perThread));
        }

        assertThat(crossed).hasValue(0);
        assertThat(heard).hasValue((long) rounds * perThread * 2);
    }

    @Test
    void aTopicDoesNotKeepTheProcessorsThatEmittedToItAlive() throws InterruptedException {
        TestProcessor keeper = new TestProcessor("source", handler);
        keeper.on(LEFT, s -> {});
        java.lang.ref.WeakReference<TestProcessor> dropped = emitOnceAndDrop(handler);

        for (int i = 0; i < 50 && dropped.get() != null; i++) {
            System.gc();
            Thread.onSpinWait();
        }

        assertThat(dropped.get()).as("a replaced processor reachable only from its topic").isNull();
        keeper.emit(LEFT, "still delivered");
    }

    private static java.lang.ref.WeakReference<TestProcessor> emitOnceAndDrop(MessageHandler handler) {
        TestProcessor replaced = new TestProcessor("source", handler);
        replaced.emit(LEFT, "x");
        return new java.lang.ref.WeakReference<>(replaced);
    }

    /** Runs {@code left} and {@code right} on the two threads at once and waits for both. */
    private void onBothThreads(Callable<Void> left, Callable<Void> right) throws Exception {
        Future<Void> l = threads.submit(left);
        Future<Void> r = threads.submit(right);
        l.get(60, TimeUnit.SECONDS);
        r.get(60, TimeUnit.SECONDS);
    }

    private static Void emitAfter(CyclicBarrier start, Processor source, Event<String> event,
            String payload, int times) throws Exception {
        start.await(30, TimeUnit.SECONDS);
        for (int i = 0; i < times; i++) {
            source.emit(event, payload);
        }
        return null;
    }
}
