package io.pipeline.core.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Event;
import io.pipeline.core.SyncDispatcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A {@link SyncDispatcher} that died of a fatal error runs no async listener's backlog afterwards: the backlogged
 * messages are abandoned, their {@code emitAsync} futures failing with the fatal error as cause — as an
 * AsyncDispatcher's do (AsyncDeathAdversarialTest).
 */
class SyncAsyncDeathTest {
    private static final Event<Integer> N = Event.of("n", Integer.class);
    private static final Event<String> S = Event.of("s", String.class);

    private final SyncDispatcher dispatcher = new SyncDispatcher();
    private final Plain p = new Plain("p", dispatcher);
    private final List<Integer> started = new CopyOnWriteArrayList<>();

    @Test
    void stageCompletingAfterAPlainListenerKilledTheDispatcher_runsNoBacklog_andFailsItsFuturesWithTheFatalError()
            throws Exception {
        OutOfMemoryError fatal = new OutOfMemoryError("a listener dies");
        CompletableFuture<Void> stage = new CompletableFuture<>();
        p.onAsync(N, n -> {
            started.add(n);
            return n == 1 ? stage : CompletableFuture.completedFuture(null);
        });
        p.on(S, s -> {
            throw fatal;
        });
        CompletableFuture<Boolean> inFlight = p.emitAsync(N, 1);
        CompletableFuture<Boolean> second = p.emitAsync(N, 2);
        CompletableFuture<Boolean> third = p.emitAsync(N, 3);
        assertThatThrownBy(() -> p.emit(S, "die")).isSameAs(fatal);

        completeOnAnotherThread(stage);

        assertThat(started).as("the backlog is not run after the death").containsExactly(1);
        assertFailsWithin10s(second, fatal);
        assertFailsWithin10s(third, fatal);
        assertThat(inFlight.get(10, TimeUnit.SECONDS)).as("its stage completed: it was handled").isTrue();
    }

    @Test
    void asyncListenerThrowingAFatalError_failsItsOwnFutureAndItsBacklog_insteadOfLeavingThemHanging()
            throws Exception {
        InternalError fatal = new InternalError("the async listener dies");
        CompletableFuture<Void> stage = new CompletableFuture<>();
        p.onAsync(N, n -> {
            started.add(n);
            if (n == 2) {
                throw fatal;
            }
            return n == 1 ? stage : CompletableFuture.completedFuture(null);
        });
        CompletableFuture<Boolean> inFlight = p.emitAsync(N, 1);
        CompletableFuture<Boolean> dying = p.emitAsync(N, 2);
        CompletableFuture<Boolean> behind = p.emitAsync(N, 3);

        completeOnAnotherThread(stage); // runs 2 on that thread, which dies of it

        assertThat(started).containsExactly(1, 2);
        assertFailsWithin10s(dying, fatal);
        assertFailsWithin10s(behind, fatal);
        assertThat(inFlight.get(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> p.emit(N, 4)).isInstanceOf(IllegalStateException.class).hasCause(fatal);
    }

    private static void completeOnAnotherThread(CompletableFuture<Void> stage) throws InterruptedException {
        Thread completer = new Thread(() -> stage.complete(null), "adv-sync-death-completer");
        completer.start();
        Threads.awaitEnd(completer);
    }

    private static void assertFailsWithin10s(CompletableFuture<?> future, Throwable fatal) {
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasCause(fatal);
    }
}
