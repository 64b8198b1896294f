package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Overflow;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every overflow policy accounts for every message: delivered, or dropped and counted, never both, never neither. */
class AsyncOverflowAdversarialTest {
    private static final Event<Integer> N = Event.of("n", Integer.class);

    @ParameterizedTest
    @EnumSource(value = Overflow.class, names = {"DROP_NEWEST", "DROP_OLDEST", "FAIL"})
    void stalledConsumer_everyMessageIsDeliveredOrRefused_andFuturesSayWhich(Overflow overflow) throws Exception {
        AsyncDispatcher dispatcher = AsyncDispatcher.builder().capacity(10).overflow(overflow)
                .threadName("adv-overflow").build();
        try {
            Plain p = new Plain("p", dispatcher);
            CountDownLatch first = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> got = new CopyOnWriteArrayList<>();
            p.on(N, n -> {
                if (n == 0) {
                    first.countDown();
                    release.await(10, TimeUnit.SECONDS);
                }
                got.add(n);
            });
            p.emit(N, 0);
            assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<Boolean>> futures = new ArrayList<>();
            int refusedAtOnce = 0;
            for (int i = 1; i <= 1_000; i++) {
                try {
                    futures.add(p.emitAsync(N, i));
                } catch (RejectedExecutionException full) {
                    refusedAtOnce++;
                    futures.add(null);
                }
            }
            release.countDown();
            int delivered = 0;
            int failed = 0;
            for (int i = 0; i < futures.size(); i++) {
                CompletableFuture<Boolean> future = futures.get(i);
                if (future == null) {
                    continue;
                }
                try {
                    assertThat(future.get(10, TimeUnit.SECONDS)).isTrue();
                    delivered++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(RejectedExecutionException.class);
                    failed++;
                }
            }
            assertThat(got).hasSize(delivered + 1).isSorted();
            assertThat(delivered).isLessThanOrEqualTo(11);
            assertThat(delivered + failed + refusedAtOnce).isEqualTo(1_000);
            if (overflow != Overflow.FAIL) {
                assertThat(dispatcher.dropped()).isEqualTo(failed + refusedAtOnce);
            }
            if (overflow == Overflow.DROP_OLDEST) {
                assertThat(got.get(got.size() - 1)).isEqualTo(1_000);
            } else {
                assertThat(got.subList(1, got.size())).containsExactlyElementsOf(
                        java.util.stream.IntStream.rangeClosed(1, delivered).boxed().toList());
            }
        } finally {
            dispatcher.close();
        }
    }
}
