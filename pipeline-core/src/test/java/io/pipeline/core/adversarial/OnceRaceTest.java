package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Event;
import io.pipeline.core.SyncDispatcher;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code once} listeners hit by two emitting threads at the same moment. */
class OnceRaceTest {
    private static final Event<Integer> N = Event.of("n", Integer.class);

    @Test
    void onceListener_underTwoThreadsEmittingAtOnce_runsExactlyOnce() throws Exception {
        SyncDispatcher dispatcher = new SyncDispatcher();
        Plain p = new Plain("p", dispatcher);
        for (int round = 0; round < 500; round++) {
            AtomicInteger calls = new AtomicInteger();
            p.once(N, n -> calls.incrementAndGet());
            CyclicBarrier together = new CyclicBarrier(2);
            Runnable emitter = () -> {
                try {
                    together.await(10, TimeUnit.SECONDS);
                    p.emit(N, 1);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            Thread a = new Thread(emitter, "adv-once-a");
            Thread b = new Thread(emitter, "adv-once-b");
            a.start();
            b.start();
            Threads.awaitEnd(a);
            Threads.awaitEnd(b);
            assertThat(calls.get()).as("round %s", round).isEqualTo(1);
        }
    }
}
