package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetainedStateTest {
    final SyncDispatcher handler = new SyncDispatcher();

    /** A processor that counts what it hears in retained state. */
    static final class Counting extends Processor {
        final List<String> seen;

        @SuppressWarnings("unchecked")
        Counting(String name, MessageHandler handler) {
            super(name, handler);
            this.seen = retainedState(ArrayList.class, ArrayList::new);
        }
    }

    @Test
    void successorOfTheSameName_getsItsPredecessorsState_otherNamesDoNot() {
        new Counting("m.count", handler).seen.add("a");
        assertThat(new Counting("m.count", handler).seen).containsExactly("a");
        assertThat(new Counting("m.other", handler).seen).isEmpty();
        assertThat(RetainedState.of(handler).size()).isEqualTo(2);
    }

    @Test
    void stateOfAnotherType_isReplaced_forget_startsFresh() {
        RetainedState store = RetainedState.of(handler);
        store.put("m.count", "not a list");
        assertThat(new Counting("m.count", handler).seen).isEmpty();
        new Counting("m.count", handler).seen.add("b");
        store.forget("m.count");
        assertThat(store.contains("m.count")).isFalse();
        assertThat(new Counting("m.count", handler).seen).isEmpty();
    }

    @Test
    void nullInitialState_throwsNamingTheProcessor() {
        assertThatThrownBy(() -> RetainedState.of(handler).get("m.x", String.class, () -> null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("m.x");
    }

    @Test
    void eachHandlerHasItsOwnStore() {
        new Counting("m.count", handler).seen.add("a");
        assertThat(new Counting("m.count", new SyncDispatcher()).seen).isEmpty();
    }
}
