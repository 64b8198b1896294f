package io.pipeline.core.adversarial5;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Subscription;
import io.pipeline.core.SyncDispatcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A {@link SyncDispatcher} calls an event's sole listener through the emitting processor's copy of it: whatever state
 * that copy is in (none yet, kept current by the topic, given up), a listener cancelled, replaced or joined by another
 * is (not) called by the next emit — on the thread that changed it, on a thread started after the change returned,
 * and when the change is made by a listener of that very event, during its own direct call.
 */
class DirectListenerChangeTest {
    private final SyncDispatcher handler = new SyncDispatcher();
    private final List<String> heard = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        handler.close();
    }

    private Node node(Node.State state) {
        return new Node("node", handler).prime(state);
    }

    /** Emits on a new thread, started after the caller's change returned; returns once it did. */
    private static void emitOnAnotherThread(Node node, String payload) throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                node.emit(Node.A, payload);
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        }, "adv5-emitter");
        thread.start();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isNull();
        thread.join(10_000);
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void cancelledListener_isNotCalledByTheNextEmit_onThisThreadOrAnother(Node.State state) throws Exception {
        Node node = node(state);
        Subscription old = node.on(Node.A, s -> heard.add("old:" + s));
        node.emit(Node.A, "1");

        old.cancel();
        boolean sameThread = node.emit(Node.A, "2");
        emitOnAnotherThread(node, "3");

        assertThat(sameThread).isFalse();
        assertThat(heard).containsExactly("old:1");
        assertThat(handler.deadEvents()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void replacedListener_onlyTheNewOneHearsTheNextEmit_onThisThreadAndAnother(Node.State state) throws Exception {
        Node node = node(state);
        Subscription old = node.on(Node.A, s -> heard.add("old:" + s));
        for (int i = 0; i < 10_000; i++) {
            node.emit(Node.A, "x");
        }
        heard.clear();

        old.cancel();
        node.on(Node.A, s -> heard.add("new:" + s));
        node.emit(Node.A, "1");
        emitOnAnotherThread(node, "2");

        assertThat(heard).containsExactly("new:1", "new:2");
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void listenerJoinedByASecond_bothHearTheNextEmit_andAfterTheFirstLeavesOnlyTheSecond(Node.State state)
            throws Exception {
        Node node = node(state);
        Subscription first = node.on(Node.A, s -> heard.add("1:" + s));
        node.emit(Node.A, "x");
        heard.clear();

        node.on(Node.A, s -> heard.add("2:" + s));
        node.emit(Node.A, "a");
        emitOnAnotherThread(node, "b");
        first.cancel();
        node.emit(Node.A, "c");
        emitOnAnotherThread(node, "d");

        assertThat(heard).containsExactly("1:a", "2:a", "1:b", "2:b", "2:c", "2:d");
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void listenerCancellingItselfDuringItsDirectCall_hearsNoLaterEmit_evenOneItEmitsItself(Node.State state)
            throws Exception {
        Node node = node(state);
        AtomicReference<Subscription> self = new AtomicReference<>();
        self.set(node.on(Node.A, s -> {
            heard.add("self:" + s);
            if (s.equals("leave")) {
                self.get().cancel();
                node.emit(Node.A, "inner"); // after cancel returned, on this thread
            }
        }));
        node.emit(Node.A, "1");
        node.emit(Node.A, "leave");
        node.emit(Node.A, "2");
        emitOnAnotherThread(node, "3");

        assertThat(heard).containsExactly("self:1", "self:leave");
        assertThat(node.listenerCount(Node.A)).isZero();
        assertThat(handler.deadEvents()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void listenerSubscribingAnotherDuringItsDirectCall_bothHearTheNextEmit(Node.State state) throws Exception {
        Node node = node(state);
        node.on(Node.A, s -> {
            heard.add("first:" + s);
            if (s.equals("join")) {
                node.on(Node.A, t -> heard.add("second:" + t));
                node.emit(Node.A, "inner");
            }
        });
        node.emit(Node.A, "1");
        node.emit(Node.A, "join");
        node.emit(Node.A, "2");
        emitOnAnotherThread(node, "3");

        assertThat(heard).containsExactly("first:1", "first:join", "first:inner", "second:inner", "first:2",
                "second:2", "first:3", "second:3");
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void listenerReplacingItselfDuringItsDirectCall_onlyTheReplacementHearsLaterEmits(Node.State state)
            throws Exception {
        Node node = node(state);
        AtomicReference<Subscription> self = new AtomicReference<>();
        self.set(node.on(Node.A, s -> {
            heard.add("old:" + s);
            self.get().cancel();
            node.on(Node.A, t -> heard.add("new:" + t));
            node.emit(Node.A, "inner");
        }));
        node.emit(Node.A, "1");
        node.emit(Node.A, "2");
        emitOnAnotherThread(node, "3");

        assertThat(heard).containsExactly("old:1", "new:inner", "new:2", "new:3");
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void listenerRemovingAllListenersDuringItsDirectCall_nothingHearsLaterEmits(Node.State state) throws Exception {
        Node node = node(state);
        node.on(Node.A, s -> {
            heard.add("a:" + s);
            node.removeAllListeners();
        });
        node.on(Node.B, s -> heard.add("b:" + s));
        node.emit(Node.B, "0");
        node.emit(Node.A, "1");
        node.emit(Node.A, "2");
        node.emit(Node.B, "3");
        emitOnAnotherThread(node, "4");

        assertThat(heard).containsExactly("b:0", "a:1");
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void listenerEmittingAnotherEventAndCancellingItselfDuringItsDirectCall_laterEmitsFollowBothChanges(
            Node.State state) throws Exception {
        Node node = node(state);
        AtomicReference<Subscription> self = new AtomicReference<>();
        node.on(Node.B, s -> heard.add("b:" + s));
        self.set(node.on(Node.A, s -> {
            heard.add("a:" + s);
            node.emit(Node.B, "from-a:" + s); // the first emit of another event, inside the direct call
            if (s.equals("leave")) {
                self.get().cancel();
                node.on(Node.A, t -> heard.add("a2:" + t));
            }
        }));
        node.emit(Node.A, "1");
        node.emit(Node.A, "leave");
        node.emit(Node.A, "2");
        node.emit(Node.B, "3");
        emitOnAnotherThread(node, "4");

        assertThat(heard).containsExactly("a:1", "b:from-a:1", "a:leave", "b:from-a:leave", "a2:2", "b:3", "a2:4");
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void secondProcessorOfTheSameName_followsAListenerReplacedThroughTheFirst(Node.State state) throws Exception {
        Node first = node(state);
        Node second = new Node("node", handler).prime(Node.State.ADOPTED);
        Subscription old = first.on(Node.A, s -> heard.add("old:" + s));
        first.emit(Node.A, "1");
        second.emit(Node.A, "2");

        old.cancel();
        second.on(Node.A, s -> heard.add("new:" + s));
        first.emit(Node.A, "3");
        second.emit(Node.A, "4");
        emitOnAnotherThread(first, "5");
        emitOnAnotherThread(second, "6");

        assertThat(heard).containsExactly("old:1", "old:2", "new:3", "new:4", "new:5", "new:6");
    }

    @ParameterizedTest
    @EnumSource(Node.State.class)
    void listenerSubscribingAOnceListenerDuringItsDirectCall_theOnceHearsTheNextEmitOnly_thenTheDirectCallResumes(
            Node.State state) throws Exception {
        Node node = node(state);
        node.on(Node.A, s -> {
            heard.add("plain:" + s);
            if (s.equals("once")) {
                node.once(Node.A, t -> heard.add("once:" + t));
            }
        });
        node.emit(Node.A, "1");
        node.emit(Node.A, "once");
        node.emit(Node.A, "2");
        node.emit(Node.A, "3");
        emitOnAnotherThread(node, "4");

        assertThat(heard).containsExactly("plain:1", "plain:once", "plain:2", "once:2", "plain:3", "plain:4");
        assertThat(node.listenerCount(Node.A)).isEqualTo(1);
    }
}
