package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The AsyncDispatcher's producer side alone: a real ring, no loop thread; the test takes messages itself. */
class AdmissionTest {
    static final Event<String> WORD = Event.of("word", String.class);

    private final SyncDispatcher registry = new SyncDispatcher();
    private final Topic topic = registry.topics("source").topic(WORD);

    private static Admission admission(BoundedRing<Target> ring, Overflow overflow) {
        DeliveryLoop loop = new DeliveryLoop(null, null, ring); // wake() is a no-op: it never parks
        return new Admission(ring, overflow, loop, () -> new IllegalStateException("closed for the test"));
    }

    private static List<Object> take(BoundedRing<Target> ring, int max) {
        List<Object> out = new ArrayList<>();
        ring.drain((target, payload) -> out.add(payload), max);
        return out;
    }

    @Test
    void fail_whenFull_throwsNamingCapacityEventAndProcessor() {
        BoundedRing<Target> ring = new BoundedRing<>(1);
        Admission admission = admission(ring, Overflow.FAIL);
        admission.admit(topic, "a");

        assertThatThrownBy(() -> admission.admit(topic, "b")).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("capacity 1").hasMessageContaining("'word'").hasMessageContaining("'source'");
    }

    @Test
    void dropNewest_andDropOldest_countWhatTheyDiscard_andFailItsFuture() {
        BoundedRing<Target> newestRing = new BoundedRing<>(1);
        Admission newest = admission(newestRing, Overflow.DROP_NEWEST);
        newest.admit(topic, "a");
        Completion dropped = new Completion();
        newest.admit(Target.of(topic, dropped), "b");
        assertThat(newest.dropped()).isEqualTo(1);
        assertThat(dropped.future).isCompletedExceptionally();
        assertThat(take(newestRing, 10)).containsExactly("a");

        BoundedRing<Target> oldestRing = new BoundedRing<>(1);
        Admission oldest = admission(oldestRing, Overflow.DROP_OLDEST);
        Completion first = new Completion();
        oldest.admit(Target.of(topic, first), "a");
        oldest.admit(topic, "b");
        assertThat(oldest.dropped()).isEqualTo(1);
        assertThat(first.future).isCompletedExceptionally();
        assertThat(take(oldestRing, 10)).containsExactly("b");
    }

    @Test
    void closedRing_throwsTheDispatchersException() {
        BoundedRing<Target> ring = new BoundedRing<>(1);
        Admission admission = admission(ring, Overflow.BLOCK);
        ring.close();

        assertThatThrownBy(() -> admission.admit(topic, "a")).isInstanceOf(IllegalStateException.class)
                .hasMessage("closed for the test");
    }

    @Test
    void block_waitingProducersTakeRoomInArrivalOrder_andNewcomersQueueBehindThem() throws Exception {
        BoundedRing<Target> ring = new BoundedRing<>(1);
        Admission admission = admission(ring, Overflow.BLOCK);
        admission.admit(topic, "full");
        CompletableFuture<Void> firstDone = new CompletableFuture<>();
        Thread first = new Thread(() -> {
            admission.admit(topic, "first");
            firstDone.complete(null);
        }, "first-waiter");
        first.start();
        DispatcherContractTest.waitFor(() -> first.getState() == Thread.State.WAITING);
        Thread second = new Thread(() -> admission.admit(topic, "second"), "second-waiter");
        second.start();
        DispatcherContractTest.waitFor(() -> second.getState() == Thread.State.WAITING);

        assertThat(take(ring, 1)).containsExactly("full");
        admission.roomFreed();
        firstDone.get(10, TimeUnit.SECONDS);
        assertThat(take(ring, 1)).containsExactly("first");
        admission.roomFreed();
        second.join(10_000);
        assertThat(second.isAlive()).isFalse();
        assertThat(take(ring, 1)).containsExactly("second");
    }

    @Test
    void block_waitingProducer_isReleasedWhenTheRingCloses() throws Exception {
        BoundedRing<Target> ring = new BoundedRing<>(1);
        Admission admission = admission(ring, Overflow.BLOCK);
        admission.admit(topic, "full");
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                admission.admit(topic, "late");
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        }, "waiter");
        waiter.start();
        DispatcherContractTest.waitFor(() -> waiter.getState() == Thread.State.WAITING);

        ring.close();
        admission.signalWaiters();

        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                .hasMessage("closed for the test");
    }
}
