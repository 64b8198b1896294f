package io.pipeline.core.adversarial5;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;

/**
 * A processor with nothing of its own and three events of one payload type, for the direct-rung tests of this
 * package; {@link #prime} puts it in one of the states the direct rung tells apart.
 */
final class Node extends Processor {
    static final Event<String> A = Event.of("a", String.class);
    static final Event<String> B = Event.of("b", String.class);
    static final Event<String> C = Event.of("c", String.class);

    /** The states of a processor's copy of its direct listener. */
    enum State {
        /** Never emitted: no copy yet. */
        FRESH,
        /** Emitted {@link #A} only, many times: {@code A}'s topic keeps its copy current. */
        ADOPTED,
        /** Emitted {@link #A} many times, then {@link #B}, then {@code A} again: it has given its copy up. */
        DISOWNED
    }

    Node(String name, MessageHandler handler) {
        super(name, handler);
    }

    /**
     * Emits as {@code state} says, heard by listeners of its own that are cancelled before this returns: the
     * processor's listeners are as they were.
     */
    Node prime(State state) {
        if (state == State.FRESH) {
            return this;
        }
        var a = on(A, s -> { });
        var b = on(B, s -> { });
        for (int i = 0; i < 20_000; i++) {
            emit(A, "prime");
        }
        if (state == State.DISOWNED) {
            emit(B, "prime");
            for (int i = 0; i < 20_000; i++) {
                emit(A, "prime");
            }
        }
        emitAsync(A, "prime").join(); // under an AsyncDispatcher: every priming message delivered before the cancel
        a.cancel();
        b.cancel();
        return this;
    }
}
