package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AsyncDispatcherTest extends DispatcherContractTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @Override
    MessageHandler newHandler() {
        return new AsyncDispatcher();
    }

    private static AsyncDispatcher dispatcher(int capacity, Overflow overflow) {
        return AsyncDispatcher.builder().capacity(capacity).overflow(overflow)
                .threadName("test-dispatcher-" + NAMES.incrementAndGet()).build();
    }

    @Test
    void millionMessages_thenClose_allDeliveredInOrder() {
        AsyncDispatcher dispatcher = new AsyncDispatcher();
        TestProcessor source = new TestProcessor("source", dispatcher);
        int[] expected = {0};
        boolean[] outOfOrder = {false};
        source.on(NUMBER, n -> {
            if (n != expected[0]) {
                outOfOrder[0] = true;
            }
            expected[0]++;
        });

        for (int i = 0; i < 1_000_000; i++) {
            source.emit(NUMBER, i);
        }
        dispatcher.close();

        assertThat(expected[0]).isEqualTo(1_000_000);
        assertThat(outOfOrder[0]).isFalse();
        assertThat(dispatcher.isTerminated()).isTrue();
    }

    @Test
    void queuedMessage_goesToTheListenersItsEventHasWhenTheLoopDeliversIt() throws Exception {
        AsyncDispatcher dispatcher = new AsyncDispatcher();
        try {
            TestProcessor source = new TestProcessor("source", dispatcher);
            List<String> heard = new CopyOnWriteArrayList<>();
            Subscription before = source.on(NUMBER, n -> heard.add("before:" + n));
            CountDownLatch release = holdTheLoop(dispatcher); // what follows waits queued

            source.emit(NUMBER, 1);
            before.cancel();
            source.on(NUMBER, n -> heard.add("after:" + n));
            release.countDown();
            dispatcher.close();

            assertThat(heard).containsExactly("after:1");
        } finally {
            dispatcher.close();
        }
    }

    @Test
    void queuedMessage_whoseListenersAreAllGoneWhenDelivered_isADeadEvent() throws Exception {
        AsyncDispatcher dispatcher = new AsyncDispatcher();
        try {
            TestProcessor source = new TestProcessor("source", dispatcher);
            List<Integer> heard = new CopyOnWriteArrayList<>();
            Subscription only = source.on(NUMBER, heard::add);
            CountDownLatch release = holdTheLoop(dispatcher);

            assertThat(source.emit(NUMBER, 1)).isTrue(); // heard when emitted
            only.cancel();
            release.countDown();
            dispatcher.close();

            assertThat(heard).isEmpty();
            assertThat(dispatcher.deadEvents()).isEqualTo(1);
        } finally {
            dispatcher.close();
        }
    }

    /** Holds {@code dispatcher}'s loop in a listener until the returned latch is counted down. */
    private static CountDownLatch holdTheLoop(AsyncDispatcher dispatcher) throws InterruptedException {
        TestProcessor gate = new TestProcessor("gate", dispatcher);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        gate.on(NUMBER, n -> {
            held.countDown();
            await(release);
        });
        gate.emit(NUMBER, 0);
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("not released in 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void listeners_runOnTheNamedLoopThread() throws Exception {
        AsyncDispatcher dispatcher = AsyncDispatcher.builder().threadName("quotes-loop").build();
        TestProcessor source = new TestProcessor("source", dispatcher);
        CompletableFuture<String> thread = new CompletableFuture<>();
        source.on(WORD, w -> thread.complete(Thread.currentThread().getName()));

        source.emit(WORD, "x");

        assertThat(thread.get(5, TimeUnit.SECONDS)).isEqualTo("quotes-loop");
        dispatcher.close();
    }

    /** A listener that holds the loop thread on its first message until released. */
    private static final class Stall {
        final CountDownLatch stalled = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Integer> delivered = new CopyOnWriteArrayList<>();

        void handle(Integer n) throws InterruptedException {
            if (delivered.isEmpty()) {
                stalled.countDown();
                release.await(30, TimeUnit.SECONDS);
            }
            delivered.add(n);
        }
    }

    /** Stalls the loop on message -1, then fills the queue with 0..999. */
    private static Stall stallAndFill(AsyncDispatcher dispatcher, TestProcessor source) throws InterruptedException {
        Stall stall = new Stall();
        source.on(NUMBER, stall::handle);
        source.emit(NUMBER, -1);
        assertThat(stall.stalled.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 1_000; i++) {
            source.emit(NUMBER, i);
            assertThat(dispatcher.queueSize()).isLessThanOrEqualTo(1_000);
        }
        assertThat(dispatcher.queueSize()).isEqualTo(1_000);
        return stall;
    }

    @Test
    void overflowBlock_emitterWaitsForSpace_andNothingIsLost() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1_000, Overflow.BLOCK);
        TestProcessor source = new TestProcessor("source", dispatcher);
        Stall stall = stallAndFill(dispatcher, source);
        Thread emitter = new Thread(() -> {
            for (int i = 1_000; i < 1_500; i++) {
                source.emit(NUMBER, i);
            }
        });

        emitter.start();
        waitFor(() -> emitter.getState() == Thread.State.WAITING);
        assertThat(dispatcher.queueSize()).isEqualTo(1_000);
        stall.release.countDown();
        emitter.join(TimeUnit.SECONDS.toMillis(10));
        dispatcher.close();

        assertThat(stall.delivered).containsExactlyElementsOf(IntStream.range(-1, 1_500).boxed().toList());
        assertThat(dispatcher.dropped()).isZero();
    }

    @Test
    void overflowDropNewest_discardsNewMessages() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1_000, Overflow.DROP_NEWEST);
        TestProcessor source = new TestProcessor("source", dispatcher);
        Stall stall = stallAndFill(dispatcher, source);

        for (int i = 1_000; i < 1_500; i++) {
            source.emit(NUMBER, i);
            assertThat(dispatcher.queueSize()).isLessThanOrEqualTo(1_000);
        }
        assertThat(dispatcher.dropped()).isEqualTo(500);
        stall.release.countDown();
        dispatcher.close();

        assertThat(stall.delivered).containsExactlyElementsOf(IntStream.range(-1, 1_000).boxed().toList());
    }

    @Test
    void overflowDropOldest_discardsOldestQueuedMessages() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1_000, Overflow.DROP_OLDEST);
        TestProcessor source = new TestProcessor("source", dispatcher);
        Stall stall = stallAndFill(dispatcher, source);

        for (int i = 1_000; i < 1_500; i++) {
            source.emit(NUMBER, i);
            assertThat(dispatcher.queueSize()).isLessThanOrEqualTo(1_000);
        }
        assertThat(dispatcher.dropped()).isEqualTo(500);
        stall.release.countDown();
        dispatcher.close();

        List<Integer> expected = new ArrayList<>(List.of(-1));
        IntStream.range(500, 1_500).forEach(expected::add);
        assertThat(stall.delivered).containsExactlyElementsOf(expected);
    }

    @Test
    void overflowFail_throwsRejectedExecution() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1_000, Overflow.FAIL);
        TestProcessor source = new TestProcessor("source", dispatcher);
        Stall stall = stallAndFill(dispatcher, source);

        assertThatThrownBy(() -> source.emit(NUMBER, 1_000)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("capacity 1000");
        assertThat(dispatcher.queueSize()).isEqualTo(1_000);
        stall.release.countDown();
        dispatcher.close();

        assertThat(stall.delivered).containsExactlyElementsOf(IntStream.range(-1, 1_000).boxed().toList());
    }

    @ParameterizedTest
    @EnumSource(value = Overflow.class, names = {"DROP_NEWEST", "DROP_OLDEST", "FAIL"})
    void errorEvents_areNeverDroppedOrRejected_whenQueueIsFull(Overflow overflow) throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1_000, overflow);
        TestProcessor source = new TestProcessor("source", dispatcher);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        source.on(Processor.ERROR, errors::add);
        Stall stall = stallAndFill(dispatcher, source);

        for (int i = 0; i < 10; i++) {
            assertThat(source.emit(Processor.ERROR, new RuntimeException("e" + i))).isTrue();
        }
        stall.release.countDown();
        dispatcher.close();

        assertThat(errors).extracting(Throwable::getMessage)
                .containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(i -> "e" + i).toList());
    }

    @ParameterizedTest
    @EnumSource(Overflow.class)
    void errorEvents_sentWithEmitAsync_areNeverDroppedBlockedOrRejected_whenQueueIsFull(Overflow overflow)
            throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1_000, overflow);
        TestProcessor source = new TestProcessor("source", dispatcher);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        source.on(Processor.ERROR, errors::add);
        Stall stall = stallAndFill(dispatcher, source);

        CompletableFuture<CompletableFuture<Boolean>> sent = new CompletableFuture<>();
        new Thread(() -> {
            try {
                sent.complete(source.emitAsync(Processor.ERROR, new RuntimeException("e")));
            } catch (Throwable t) {
                sent.completeExceptionally(t);
            }
        }, "error-emitter").start();
        CompletableFuture<Boolean> delivered = sent.get(10, TimeUnit.SECONDS); // did not block or throw
        stall.release.countDown();

        assertThat(delivered.get(10, TimeUnit.SECONDS)).isTrue();
        dispatcher.close();
        assertThat(errors).extracting(Throwable::getMessage).containsExactly("e");
    }

    @Test
    void emitAsync_droppedByOverflow_failsItsFuture() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1_000, Overflow.DROP_NEWEST);
        TestProcessor source = new TestProcessor("source", dispatcher);
        Stall stall = stallAndFill(dispatcher, source);

        CompletableFuture<Boolean> dropped = source.emitAsync(NUMBER, 1_000);

        assertThat(dropped).isCompletedExceptionally();
        stall.release.countDown();
        dispatcher.close();
    }

    @Test
    void listenerEmittingOnLoopThread_whileQueueIsFull_neitherDeadlocksNorLoses() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(10, Overflow.BLOCK);
        TestProcessor source = new TestProcessor("source", dispatcher);
        TestProcessor fanOut = new TestProcessor("fanOut", dispatcher);
        List<Integer> out = new CopyOnWriteArrayList<>();
        source.on(NUMBER, n -> {
            for (int i = 0; i < 100; i++) {
                fanOut.emit(NUMBER, n * 100 + i);
            }
        });
        fanOut.on(NUMBER, out::add);

        for (int n = 0; n < 200; n++) {
            source.emit(NUMBER, n);
            assertThat(dispatcher.queueSize()).isLessThanOrEqualTo(10);
        }
        dispatcher.close();

        assertThat(out).containsExactlyElementsOf(IntStream.range(0, 20_000).boxed().toList());
    }

    @Test
    void deeplyNestedEmitsOnLoopThread_neitherOverflowTheStackNorLoseMessages() {
        AsyncDispatcher dispatcher = new AsyncDispatcher();
        TestProcessor countdown = new TestProcessor("countdown", dispatcher);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        countdown.on(NUMBER, n -> {
            seen.add(n);
            if (n > 0) {
                countdown.emit(NUMBER, n - 1);
            }
        });

        countdown.emit(NUMBER, 100_000);
        dispatcher.close();

        assertThat(seen).hasSize(100_001);
        assertThat(seen.get(seen.size() - 1)).isZero();
    }

    @Test
    void close_deliversEverythingAccepted_includingWhatListenersEmitWhileDraining() {
        AsyncDispatcher dispatcher = new AsyncDispatcher();
        TestProcessor source = new TestProcessor("source", dispatcher);
        TestProcessor sink = new TestProcessor("sink", dispatcher);
        AtomicInteger received = new AtomicInteger();
        source.on(NUMBER, n -> sink.emit(NUMBER, n));
        sink.on(NUMBER, n -> received.incrementAndGet());

        for (int i = 0; i < 50_000; i++) {
            source.emit(NUMBER, i);
        }
        dispatcher.close();

        assertThat(received.get()).isEqualTo(50_000);
    }

    @Test
    void close_waitsForInFlightAsyncListeners() throws Exception {
        AsyncDispatcher dispatcher = new AsyncDispatcher();
        TestProcessor source = new TestProcessor("source", dispatcher);
        CompletableFuture<Void> stage = new CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        List<String> finished = new CopyOnWriteArrayList<>();
        source.onAsync(WORD, w -> {
            started.countDown();
            return stage.thenRun(() -> finished.add(w));
        });
        source.emit(WORD, "x");
        source.emit(WORD, "y");
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> closed = CompletableFuture.runAsync(dispatcher::close);
        assertThat(closed).isNotDone();
        stage.complete(null);
        closed.get(5, TimeUnit.SECONDS);

        assertThat(finished).containsExactly("x", "y");
    }

    @Test
    void emitterBlockedOnFullQueue_whenClosed_getsIllegalState() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1_000, Overflow.BLOCK);
        TestProcessor source = new TestProcessor("source", dispatcher);
        Stall stall = stallAndFill(dispatcher, source);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread emitter = new Thread(() -> {
            try {
                source.emit(NUMBER, 1_000);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        emitter.start();
        waitFor(() -> emitter.getState() == Thread.State.WAITING);

        CompletableFuture<Void> closed = CompletableFuture.runAsync(dispatcher::close);
        emitter.join(TimeUnit.SECONDS.toMillis(5));
        stall.release.countDown();
        closed.get(5, TimeUnit.SECONDS);

        assertThat(failure.get()).isInstanceOf(IllegalStateException.class);
        assertThat(stall.delivered).hasSize(1_001);
    }

    @Test
    void interruptedBlockedEmitter_isRejected_andKeepsInterruptFlag() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1_000, Overflow.BLOCK);
        TestProcessor source = new TestProcessor("source", dispatcher);
        Stall stall = stallAndFill(dispatcher, source);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread emitter = new Thread(() -> {
            try {
                source.emit(NUMBER, 1_000);
            } catch (Throwable t) {
                failure.set(t);
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        emitter.start();
        waitFor(() -> emitter.getState() == Thread.State.WAITING);

        emitter.interrupt();
        emitter.join(TimeUnit.SECONDS.toMillis(5));
        stall.release.countDown();
        dispatcher.close();

        assertThat(failure.get()).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("interrupted");
        assertThat(flag.get()).isTrue();
        assertThat(stall.delivered).hasSize(1_001);
    }

    @Test
    void close_calledFromListener_doesNotDeadlock_andLaterLoopEmitsAreDelivered() throws Exception {
        AsyncDispatcher dispatcher = new AsyncDispatcher();
        TestProcessor source = new TestProcessor("source", dispatcher);
        List<String> heard = new CopyOnWriteArrayList<>();
        source.on(WORD, w -> {
            heard.add(w);
            if (w.equals("stop")) {
                dispatcher.close();
                source.emit(WORD, "emitted while closing");
                source.emit(NUMBER, 1); // nobody listens: counted, not rejected
            }
        });
        source.emit(WORD, "a");
        source.emit(WORD, "stop");

        dispatcher.close();

        assertThat(heard).containsExactly("a", "stop", "emitted while closing");
        assertThat(dispatcher.deadEvents()).isEqualTo(1);
        assertThat(dispatcher.isTerminated()).isTrue();
    }

    @Test
    void noThreadSurvivesClose() {
        String name = "leak-check-" + NAMES.incrementAndGet();
        AsyncDispatcher dispatcher = AsyncDispatcher.builder().threadName(name).build();
        TestProcessor source = new TestProcessor("source", dispatcher);
        source.on(WORD, w -> {});
        source.emit(WORD, "x");
        assertThat(liveThreadsNamed(name)).isEqualTo(1);

        dispatcher.close();
        dispatcher.close();

        assertThat(liveThreadsNamed(name)).isZero();
    }

    static long liveThreadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name) && t.isAlive()).count();
    }

    @Test
    void builder_rejectsBadSettings() {
        assertThatThrownBy(() -> AsyncDispatcher.builder().capacity(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> AsyncDispatcher.builder().overflow(null)).isInstanceOf(NullPointerException.class);
        AsyncDispatcher defaults = new AsyncDispatcher();
        assertThat(defaults.capacity()).isEqualTo(AsyncDispatcher.DEFAULT_CAPACITY);
        assertThat(defaults.overflow()).isEqualTo(Overflow.BLOCK);
        defaults.close();
    }
}
