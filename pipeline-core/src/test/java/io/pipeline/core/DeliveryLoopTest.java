package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The AsyncDispatcher's consumer step alone: {@link DeliveryLoop#drainOnce()} run on the test thread, over a ring
 * filled through a real {@link Admission}, with no loop thread.
 */
class DeliveryLoopTest {
    static final Event<String> WORD = Event.of("word", String.class);

    private final SyncDispatcher registry = new SyncDispatcher(); // only owns topics and routes failures
    private final ProcessorTopics topics = registry.topics("source");
    private final Topic topic = topics.topic(WORD);
    private final BoundedRing<Target> ring = new BoundedRing<>(512);
    private final InlineDelivery delivery = new InlineDelivery(registry, true);
    private final DeliveryLoop loop = new DeliveryLoop(null, delivery, ring);
    private final Admission admission = new Admission(ring, Overflow.FAIL, loop,
            () -> new IllegalStateException("closed"));
    private final List<String> heard = new CopyOnWriteArrayList<>();

    DeliveryLoopTest() {
        loop.admission(admission);
    }

    private void listen(Listener<String> listener) {
        @SuppressWarnings("unchecked")
        Listener<Object> raw = (Listener<Object>) (Listener<?>) listener;
        registry.subscribe(topics, WORD, raw, false);
    }

    @Test
    void drainOnce_runsUrgentEntriesFirst_thenTheRingInOrder_andReportsWhetherItWorked() {
        listen(heard::add);
        admission.admit(topic, "a");
        admission.admit(topic, "b");
        loop.handOver(new LaneEntry.Message(topic, "urgent", null));

        assertThat(loop.drainOnce()).isTrue();
        assertThat(heard).containsExactly("urgent", "a", "b");
        assertThat(loop.drainOnce()).isFalse();
    }

    @Test
    void drainOnce_takesAtMostOneStepOfRingMessages() {
        listen(heard::add);
        for (int i = 0; i < DeliveryLoop.STEP + 10; i++) {
            admission.admit(topic, "m" + i);
        }

        loop.drainOnce();
        assertThat(heard).hasSize(DeliveryLoop.STEP);
        assertThat(ring.size()).isEqualTo(10);
        loop.drainOnce();
        assertThat(heard).hasSize(DeliveryLoop.STEP + 10).endsWith("m" + (DeliveryLoop.STEP + 9));
    }

    @Test
    void drainOnce_deliversWhatAListenerDeferred_beforeTheNextRingMessage() {
        listen(w -> {
            heard.add(w);
            if (w.equals("a")) {
                loop.defer(new LaneEntry.Message(topic, "deferred", null));
                loop.defer(new LaneEntry.Continuation(() -> heard.add("continuation")));
            }
        });
        admission.admit(topic, "a");
        admission.admit(topic, "b");

        loop.drainOnce();

        assertThat(heard).containsExactly("a", "deferred", "continuation", "b");
        assertThat(loop.laneIsEmpty()).isTrue();
    }

    @Test
    void drainOnce_clearsAnInterruptAListenerLeftBehind() {
        List<Boolean> interrupted = new CopyOnWriteArrayList<>();
        listen(w -> {
            interrupted.add(Thread.currentThread().isInterrupted());
            Thread.currentThread().interrupt();
        });
        admission.admit(topic, "a");
        admission.admit(topic, "b");

        loop.drainOnce();

        assertThat(interrupted).containsExactly(false, false);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
}
