package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The direct rung of a {@link SyncDispatcher}: each processor keeps its own copy of the direct listener of the topic
 * it emitted last. These tests check that the copy never outlives a change of listeners and never crosses events.
 */
class DirectRungTest {
    private static final Event<String> LEFT = Event.of("left", String.class);
    private static final Event<String> RIGHT = Event.of("right", String.class);

    private final SyncDispatcher handler = new SyncDispatcher();

    @AfterEach
    void close() {
        handler.close();
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
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<?> l = threads.submit(() -> emitAll(source, LEFT, "l", perThread, go));
            Future<?> r = threads.submit(() -> emitAll(source, RIGHT, "r", perThread, go));
            go.countDown();
            l.get(60, TimeUnit.SECONDS);
            r.get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
            assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(crossed).hasValue(0);
        assertThat(left).hasValue(perThread);
        assertThat(right).hasValue(perThread);
    }

    private static Void emitAll(Processor source, Event<String> event, String payload, int times, CountDownLatch go)
            throws InterruptedException {
        go.await();
        for (int i = 0; i < times; i++) {
            source.emit(event, payload);
        }
        return null;
    }
}
