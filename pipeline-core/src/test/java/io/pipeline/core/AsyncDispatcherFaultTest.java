package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Fatal errors and interrupts on an AsyncDispatcher's loop thread. */
class AsyncDispatcherFaultTest {
    static final Event<Integer> NUMBER = Event.of("number", Integer.class);
    static final Event<String> WORD = Event.of("word", String.class);
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static AsyncDispatcher dispatcher(int capacity) {
        return AsyncDispatcher.builder().capacity(capacity).overflow(Overflow.BLOCK)
                .threadName("fault-dispatcher-" + NAMES.incrementAndGet()).build();
    }

    @Test
    void fatalError_killsTheLoop_releasesBlockedProducers_failsPendingFutures_andLaterEmitsThrow()
            throws Exception {
        AsyncDispatcher dispatcher = dispatcher(1);
        TestProcessor source = new TestProcessor("source", dispatcher);
        CompletableFuture<Throwable> reported = new CompletableFuture<>();
        dispatcher.fatalErrorSink(reported::complete);
        OutOfMemoryError fatal = new OutOfMemoryError("simulated");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> delivered = new CopyOnWriteArrayList<>();
        source.on(NUMBER, n -> {
            if (n == 0) {
                entered.countDown();
                release.await(10, TimeUnit.SECONDS);
                throw fatal;
            }
            delivered.add(n);
        });
        source.emit(NUMBER, 0);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Boolean> queued = source.emitAsync(NUMBER, 1); // fills the queue
        CompletableFuture<Throwable> blocked = new CompletableFuture<>();
        Thread producer = new Thread(() -> {
            try {
                source.emit(NUMBER, 2);
                blocked.complete(null);
            } catch (Throwable t) {
                blocked.complete(t);
            }
        }, "blocked-producer");
        producer.start();
        DispatcherContractTest.waitFor(() -> producer.getState() == Thread.State.WAITING);

        release.countDown();

        assertThat(reported.get(10, TimeUnit.SECONDS)).isSameAs(fatal);
        assertThat(blocked.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class).hasCause(fatal);
        assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasCause(fatal);
        assertThat(dispatcher.fatalError()).isSameAs(fatal);
        assertThat(dispatcher.isClosed()).isTrue();
        assertThatThrownBy(() -> source.emit(NUMBER, 3)).isInstanceOf(IllegalStateException.class)
                .hasCause(fatal).hasMessageContaining("closed");
        assertThatThrownBy(() -> source.emit(Processor.ERROR, new RuntimeException("x")))
                .isInstanceOf(IllegalStateException.class).hasCause(fatal);
        dispatcher.close();
        assertThat(dispatcher.isTerminated()).isTrue();
        assertThat(delivered).isEmpty();
    }

    @Test
    void interruptedExceptions_fromListenersAndStages_doNotLeaveTheLoopThreadInterrupted() throws Exception {
        AsyncDispatcher dispatcher = dispatcher(16);
        TestProcessor source = new TestProcessor("source", dispatcher);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<Boolean> interruptedWhenRun = new CopyOnWriteArrayList<>();
        AtomicReference<Thread> loop = new AtomicReference<>();
        source.on(Processor.ERROR, errors::add);
        source.on(WORD, w -> {
            loop.set(Thread.currentThread());
            switch (w) {
                case "throw" -> throw new InterruptedException("listener");
                case "self" -> Thread.currentThread().interrupt();
                default -> interruptedWhenRun.add(Thread.currentThread().isInterrupted());
            }
        });
        source.onAsync(NUMBER, n -> CompletableFuture.failedFuture(new InterruptedException("stage")));

        source.emit(WORD, "throw");
        source.emitAsync(WORD, "check").get(10, TimeUnit.SECONDS);
        source.emitAsync(NUMBER, 1).get(10, TimeUnit.SECONDS);
        source.emitAsync(WORD, "check").get(10, TimeUnit.SECONDS);
        source.emit(WORD, "self");
        source.emitAsync(WORD, "check").get(10, TimeUnit.SECONDS);

        assertThat(interruptedWhenRun).containsExactly(false, false, false);
        // An interrupted thread's park returns at once: the idle loop would spin instead of parking.
        DispatcherContractTest.waitFor(() -> loop.get().getState() == Thread.State.WAITING);
        dispatcher.close();
        assertThat(errors).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(ListenerException.class)
                .hasCauseInstanceOf(InterruptedException.class));
    }
}
