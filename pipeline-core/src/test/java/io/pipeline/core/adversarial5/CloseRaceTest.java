package io.pipeline.core.adversarial5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.SyncDispatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A {@link SyncDispatcher} closed — or killed by a fatal error a listener throws — while other threads emit through
 * the direct rung: once {@code close()} has returned (the error has propagated), every emit throws
 * {@link IllegalStateException} and no emit started after that reaches a listener, whatever state the emitting
 * processors' copies of the direct listener are in.
 */
class CloseRaceTest {
    private static final int EMITTERS = 3;

    private final SyncDispatcher handler = new SyncDispatcher();
    private final ExecutorService threads = Executors.newFixedThreadPool(EMITTERS);
    /** Set once close() returned (or the fatal error propagated); read by the emitters before each emit. */
    private final AtomicBoolean over = new AtomicBoolean();
    /** Whether the current thread's emit started after {@link #over}: a listener that runs for it is a violation. */
    private final ThreadLocal<Boolean> startedAfter = ThreadLocal.withInitial(() -> false);
    private final AtomicLong lateDeliveries = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();

    @AfterEach
    void close() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        handler.close();
    }

    private void listen(Node node) {
        node.on(Node.A, s -> {
            delivered.incrementAndGet();
            if (startedAfter.get()) {
                lateDeliveries.incrementAndGet();
            }
        });
        node.on(Node.B, s -> {
            delivered.incrementAndGet();
            if (startedAfter.get()) {
                lateDeliveries.incrementAndGet();
            }
        });
    }

    /** One emitting thread per processor, each processor named by {@code name} and listened to on both events. */
    private List<Future<Long>> startEmitters(SyncDispatcher handler, Node.State state, IntFunction<String> name,
            CountDownLatch running) {
        List<Future<Long>> emitters = new ArrayList<>();
        for (int t = 0; t < EMITTERS; t++) {
            Node node = new Node(name.apply(t), handler).prime(state);
            listen(node);
            emitters.add(emitUntilRefused(node, state, running));
        }
        return emitters;
    }

    /**
     * Emits (alternating A and B for a disowned processor) until an emit started after {@link #over} was set has
     * thrown; returns how many emits started after {@code over} did not throw.
     */
    private Future<Long> emitUntilRefused(Node node, Node.State state, CountDownLatch running) {
        return threads.submit(() -> {
            long accepted = 0;
            boolean counted = false;
            for (long i = 0; ; i++) {
                boolean after = over.get();
                startedAfter.set(after);
                try {
                    node.emit(state == Node.State.DISOWNED && (i & 1) == 1 ? Node.B : Node.A, "x");
                    if (after) {
                        accepted++;
                    }
                } catch (IllegalStateException refused) {
                    if (after) {
                        return accepted;
                    }
                }
                if (!counted && i == 1_000) {
                    counted = true;
                    running.countDown();
                }
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void closeRacingEmitsOnOtherThreads_everyEmitAfterCloseReturnedThrows_andNothingIsDeliveredForIt(
            Node.State state) throws Exception {
        for (int round = 0; round < 100; round++) {
            SyncDispatcher handler = round == 0 ? this.handler : new SyncDispatcher();
            over.set(false);
            CountDownLatch running = new CountDownLatch(EMITTERS);
            List<Future<Long>> emitters = startEmitters(handler, state, t -> t == 2 ? "shared-0" : "shared-" + t,
                    running); // two share a name
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

            handler.close();
            over.set(true);

            for (Future<Long> emitter : emitters) {
                assertThat(emitter.get(30, TimeUnit.SECONDS)).as("emits accepted after close returned").isZero();
            }
            assertThat(lateDeliveries).as("deliveries of emits started after close returned").hasValue(0);
        }
        assertThat(delivered.get()).isPositive();
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void outOfMemoryErrorFromADirectListener_racingEmitsOnOtherThreads_everyLaterEmitThrowsWithItAsCause(
            Node.State state) throws Exception {
        OutOfMemoryError fatal = new OutOfMemoryError("listener's heap");
        for (int round = 0; round < 100; round++) {
            SyncDispatcher handler = round == 0 ? this.handler : new SyncDispatcher();
            over.set(false);
            CountDownLatch running = new CountDownLatch(EMITTERS);
            List<Future<Long>> emitters = startEmitters(handler, state, t -> "node-" + t, running);
            Node dying = new Node("dying", handler).prime(state);
            dying.on(Node.A, s -> {
                if (s.equals("die")) {
                    throw fatal;
                }
            });
            dying.emit(Node.A, "warm");
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(() -> dying.emit(Node.A, "die")).isSameAs(fatal);
            over.set(true);

            for (Future<Long> emitter : emitters) {
                assertThat(emitter.get(30, TimeUnit.SECONDS)).as("emits accepted after the error").isZero();
            }
            assertThat(lateDeliveries).as("deliveries of emits started after the error").hasValue(0);
            assertThatThrownBy(() -> dying.emit(Node.A, "after")).isInstanceOf(IllegalStateException.class)
                    .hasCause(fatal);
            assertThat(handler.isClosed()).isTrue();
        }
    }
}
