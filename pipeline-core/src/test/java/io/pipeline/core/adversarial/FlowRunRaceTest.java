package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.RecordingErrorReporter;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.SyncDispatcher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Lifecycle calls racing from several threads. */
class FlowRunRaceTest {
    @Test
    void runFromTwoThreadsAtOnce_bothWaitForTermination_neitherThrows() throws Exception {
        for (int round = 0; round < 200; round++) {
            AtomicReference<ManualSource> source = new AtomicReference<>();
            Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                    .errorReporter(new RecordingErrorReporter())
                    .manager(handler -> new Manager("m", handler) {
                        {
                            ManualSource s = new ManualSource(processorName("s"), handler);
                            source.set(s);
                            setSource(s);
                        }
                    }).build();
            CyclicBarrier together = new CyclicBarrier(2);
            List<Throwable> thrown = new CopyOnWriteArrayList<>();
            Runnable runner = () -> {
                try {
                    together.await(10, TimeUnit.SECONDS);
                    flow.run();
                } catch (Throwable e) {
                    thrown.add(e);
                }
            };
            Thread a = new Thread(runner, "adv-run-a");
            Thread b = new Thread(runner, "adv-run-b");
            a.start();
            b.start();
            while (source.get() == null && a.isAlive() && b.isAlive()) {
                Thread.onSpinWait();
            }
            if (source.get() != null) {
                source.get().finish();
            }
            Threads.awaitEnd(a);
            Threads.awaitEnd(b);
            flow.close();
            assertThat(thrown).as("round %s", round).isEmpty();
        }
    }
}
