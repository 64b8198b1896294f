package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Overflow;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Producers waiting for room under {@link Overflow#BLOCK}: fairness, interrupts. */
class BlockingProducersAdversarialTest {
    private static final Event<String> S = Event.of("s", String.class);

    private final AsyncDispatcher dispatcher = AsyncDispatcher.builder().capacity(1).overflow(Overflow.BLOCK)
            .threadName("adv-block").build();
    private final Plain p = new Plain("p", dispatcher);
    private final CountDownLatch first = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> got = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        release.countDown();
        dispatcher.close();
    }

    private void stallTheConsumerWithAFullQueue() throws InterruptedException {
        p.on(S, s -> {
            if (s.equals("first")) {
                first.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
            got.add(s);
        });
        p.emit(S, "first");
        assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
        p.emit(S, "queued");
    }

    @Test
    void parkedProducer_isServedBeforeAProducerThatCameLaterAndSpins() throws Exception {
        stallTheConsumerWithAFullQueue();
        Thread timer = new Thread(() -> p.emit(S, "timer"), "adv-timer");
        timer.start();
        Threads.awaitBlockedOrDone(timer);
        AtomicBoolean stop = new AtomicBoolean();
        Thread spinner = new Thread(() -> {
            for (int i = 0; !stop.get() && i < 1_000; i++) {
                try {
                    p.emit(S, "spin " + i);
                } catch (IllegalStateException closed) {
                    return;
                }
            }
        }, "adv-spinner");
        spinner.start();
        Threads.awaitBlockedOrDone(spinner);
        release.countDown();
        Threads.awaitEnd(timer);
        stop.set(true);
        Threads.awaitEnd(spinner);
        p.emitAsync(S, "last").get(10, TimeUnit.SECONDS); // everything accepted before it has been delivered
        assertThat(got.subList(0, 3)).containsExactly("first", "queued", "timer");
    }

    @Test
    void producerInterruptedWhileWaiting_isRefusedAndKeepsItsFlag() throws Exception {
        stallTheConsumerWithAFullQueue();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        AtomicBoolean flagAfter = new AtomicBoolean();
        Thread producer = new Thread(() -> {
            try {
                p.emit(S, "interrupted");
            } catch (Throwable e) {
                outcome.set(e);
            }
            flagAfter.set(Thread.currentThread().isInterrupted());
        }, "adv-interrupted");
        producer.start();
        Threads.awaitBlockedOrDone(producer);
        producer.interrupt();
        Threads.awaitEnd(producer);
        assertThat(outcome.get()).isInstanceOf(RejectedExecutionException.class);
        assertThat(flagAfter.get()).isTrue();
        release.countDown();
        p.emitAsync(S, "after").get(10, TimeUnit.SECONDS);
        assertThat(got).containsExactly("first", "queued", "after");
    }

    @Test
    void producerAlreadyInterrupted_onAFullQueue_doesNotSpin() throws Exception {
        stallTheConsumerWithAFullQueue();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                p.emit(S, "pre-interrupted");
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "adv-pre-interrupted");
        producer.start();
        Threads.awaitEnd(producer);
        assertThat(outcome.get()).isInstanceOf(RejectedExecutionException.class);
    }
}
