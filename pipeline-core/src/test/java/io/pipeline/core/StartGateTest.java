package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Work a processor defers to its manager's start: held until {@code start()}, dropped by a stop before it. */
class StartGateTest {
    final SyncDispatcher handler = new SyncDispatcher();
    final StartGate gate = StartGate.of(handler);
    final List<String> log = new CopyOnWriteArrayList<>();

    /** A source that notes its start, and a manager that notes where its gate stands while it wires. */
    final class Wired extends Manager {
        final String timer;

        Wired(String name) {
            super(name, handler);
            timer = processorName("timer");
            setSource(new Source(processorName("source"), handler) {
                @Override
                public CompletableFuture<Void> start() {
                    log.add("source started");
                    return new CompletableFuture<>();
                }
            });
            gate.whenStarted(timer, () -> log.add("timer of " + name));
            log.add("wired " + name);
        }
    }

    @Test
    void nameHandedOutByAManager_heldUntilItStarts_thenRunBeforeItsSources() {
        Wired manager = new Wired("m");
        assertThat(gate.isHeld("m.timer")).isTrue();
        assertThat(log).containsExactly("wired m");

        manager.start();

        assertThat(log).containsExactly("wired m", "timer of m", "source started");
        assertThat(gate.isHeld("m.timer")).isFalse();
        manager.stop();
    }

    @Test
    void nameNoManagerHolds_runsAtOnce_alsoANameHandedOutAfterTheStart() {
        gate.whenStarted("standalone", () -> log.add("standalone"));
        Wired manager = new Wired("m");
        manager.start();
        String late = manager.processorName("late");
        gate.whenStarted(late, () -> log.add("late"));

        assertThat(log).containsExactly("standalone", "wired m", "timer of m", "source started", "late");
        assertThat(gate.isHeld(late)).isFalse();
        manager.stop();
    }

    @Test
    void managerStoppedBeforeItStarted_dropsWhatWaited() {
        Wired manager = new Wired("m");
        manager.stop();

        assertThat(gate.isHeld("m.timer")).isFalse();
        gate.whenStarted("m.timer", () -> log.add("after the stop"));
        assertThat(log).containsExactly("wired m", "after the stop");
    }

    @Test
    void rebuiltManagerOfTheSameName_holdsTheNamesAgain_untilItStarts() {
        Wired first = new Wired("m");
        first.start();
        first.stop();
        Wired second = new Wired("m");

        assertThat(gate.isHeld("m.timer")).isTrue();
        assertThat(log).containsExactly("wired m", "timer of m", "source started", "wired m");
        second.start();
        assertThat(log).endsWith("wired m", "timer of m", "source started");
        second.stop();
    }

    @Test
    void failingAction_failsTheStart_afterTheOthersRan() {
        Wired manager = new Wired("m");
        gate.whenStarted("m.timer", () -> {
            throw new IllegalStateException("timer broke");
        });
        gate.whenStarted("m.timer", () -> log.add("third"));

        assertThatThrownBy(manager::start).isInstanceOf(IllegalStateException.class).hasMessage("timer broke");
        assertThat(log).containsExactly("wired m", "timer of m", "third");
        manager.stop();
    }

    @Test
    void eachHandlerHasItsOwnGate_nullsRejected() {
        new Wired("m");
        assertThat(StartGate.of(new SyncDispatcher()).isHeld("m.timer")).isFalse();
        assertThatThrownBy(() -> gate.whenStarted(null, () -> { })).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("processorName");
        assertThatThrownBy(() -> gate.whenStarted("x", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("action");
    }
}
