package io.pipeline.core.adversarial5;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Event;
import io.pipeline.core.SyncDispatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The first emits of a processor decide which topic keeps its copy of the direct listener; these race them — several
 * events of one fresh processor on several threads at once, a processor that adopted one event racing the first emits
 * of two others, one event a million times before a second — and count every delivery: no listener hears another
 * event's payload, no emit is lost, none is delivered twice.
 */
class FirstEmitRaceTest {
    private static final List<Event<String>> EVENTS = List.of(Node.A, Node.B, Node.C);

    private final SyncDispatcher handler = new SyncDispatcher();
    private final ExecutorService threads = Executors.newFixedThreadPool(3);
    private final AtomicLong crossed = new AtomicLong();
    private final AtomicLong[] heard = {new AtomicLong(), new AtomicLong(), new AtomicLong()};

    @AfterEach
    void close() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        handler.close();
    }

    /** Listens to every event, counting what each hears of its own payload and what it hears of another's. */
    private Node listened(String name) {
        Node node = new Node(name, handler);
        for (int e = 0; e < EVENTS.size(); e++) {
            String own = EVENTS.get(e).name();
            AtomicLong count = heard[e];
            node.on(EVENTS.get(e), s -> (s.equals(own) ? count : crossed).incrementAndGet());
        }
        return node;
    }

    private Future<?> emitAfter(CyclicBarrier start, Node node, Event<String> event, int times) {
        return threads.submit(() -> {
            start.await(30, TimeUnit.SECONDS);
            for (int i = 0; i < times; i++) {
                node.emit(event, event.name());
            }
            return null;
        });
    }

    private static void await(List<Future<?>> futures) throws Exception {
        for (Future<?> future : futures) {
            future.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void firstEmitsOfThreeEventsOnThreeThreads_ofAFreshProcessor_neverCross_andEachIsDeliveredOnce()
            throws Exception {
        int rounds = 1_500;
        int perThread = 30;
        CyclicBarrier start = new CyclicBarrier(3);
        for (int round = 0; round < rounds; round++) {
            Node node = listened("fresh-" + round);
            List<Future<?>> emitters = new ArrayList<>();
            for (Event<String> event : EVENTS) {
                emitters.add(emitAfter(start, node, event, perThread));
            }
            await(emitters);
        }

        assertThat(crossed).hasValue(0);
        for (AtomicLong count : heard) {
            assertThat(count).hasValue((long) rounds * perThread);
        }
    }

    @Test
    void processorThatAdoptedOneEvent_thenRacesFirstEmitsOfTwoOthers_neverCrosses() throws Exception {
        int rounds = 1_500;
        int perThread = 30;
        CyclicBarrier start = new CyclicBarrier(3);
        for (int round = 0; round < rounds; round++) {
            Node node = listened("adopted-" + round);
            node.emit(Node.A, "a"); // adopted by A's topic, whose listener is now its copy
            List<Future<?>> emitters = new ArrayList<>();
            emitters.add(emitAfter(start, node, Node.B, perThread));
            emitters.add(emitAfter(start, node, Node.B, perThread));
            emitters.add(emitAfter(start, node, Node.C, perThread));
            await(emitters);
        }

        assertThat(crossed).hasValue(0);
        assertThat(heard[0]).hasValue(rounds);
        assertThat(heard[1]).hasValue((long) rounds * perThread * 2);
        assertThat(heard[2]).hasValue((long) rounds * perThread);
    }

    @Test
    void twoProcessorsOfOneName_racingFirstEmitsOfThreeEvents_neverCross() throws Exception {
        int rounds = 1_000;
        int perThread = 30;
        CyclicBarrier start = new CyclicBarrier(3);
        for (int round = 0; round < rounds; round++) {
            Node node = listened("twins-" + round);
            Node twin = new Node("twins-" + round, handler);
            List<Future<?>> emitters = new ArrayList<>();
            emitters.add(emitAfter(start, node, Node.A, perThread));
            emitters.add(emitAfter(start, twin, Node.B, perThread));
            emitters.add(emitAfter(start, round % 2 == 0 ? node : twin, Node.C, perThread));
            await(emitters);
        }

        assertThat(crossed).hasValue(0);
        for (AtomicLong count : heard) {
            assertThat(count).hasValue((long) rounds * perThread);
        }
    }

    @Test
    void aMillionEmitsOfOneEvent_thenOneOfAnother_thenTheFirstAgain_eachHeardExactlyOnceByItsOwnListener() {
        Node node = listened("million");
        for (int i = 0; i < 1_000_000; i++) {
            node.emit(Node.A, "a");
        }
        node.emit(Node.B, "b");
        for (int i = 0; i < 1_000_000; i++) {
            node.emit(Node.A, "a");
        }
        node.emit(Node.C, "c");
        node.emit(Node.B, "b");

        assertThat(crossed).hasValue(0);
        assertThat(heard[0]).hasValue(2_000_000);
        assertThat(heard[1]).hasValue(2);
        assertThat(heard[2]).hasValue(1);
    }
}
