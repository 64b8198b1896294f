package io.pipeline.core.adversarial5;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.AsyncDispatcher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An {@link AsyncDispatcher} never lets an emitter call a listener directly: whatever state a producer's copy of the
 * direct listener is in — adopted by its first topic, given up — and however its listeners change, every listener
 * runs on the loop thread, in emit order, and hears only its own event.
 */
class AsyncNoDirectCallTest {
    private final AsyncDispatcher handler = new AsyncDispatcher();

    @AfterEach
    void close() {
        handler.close();
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void producerInAnyCopyState_listenersRunOnTheLoopThreadOnly_inOrder_eachOnItsOwnEvent(Node.State state)
            throws InterruptedException {
        Node node = new Node("producer", handler).prime(state);
        List<String> heard = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        CountDownLatch last = new CountDownLatch(1);
        var first = node.on(Node.A, s -> {
            threads.add(Thread.currentThread());
            heard.add("a1:" + s);
        });
        node.on(Node.B, s -> {
            threads.add(Thread.currentThread());
            heard.add("b:" + s);
            if (s.equals("end")) {
                last.countDown();
            }
        });
        node.emit(Node.A, "1");
        node.emitAsync(Node.A, "flush").join(); // "1" delivered: the loop reads the route when it delivers
        first.cancel();
        node.on(Node.A, s -> {
            threads.add(Thread.currentThread());
            heard.add("a2:" + s);
        });
        node.emit(Node.A, "2");
        node.emit(Node.B, "3");
        node.emit(Node.A, "4");
        node.emit(Node.B, "end");

        assertThat(last.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(heard).containsExactly("a1:1", "a1:flush", "a2:2", "b:3", "a2:4", "b:end");
        assertThat(threads).hasSize(6).doesNotContain(Thread.currentThread());
        assertThat(threads.stream().distinct()).hasSize(1);
    }
}
