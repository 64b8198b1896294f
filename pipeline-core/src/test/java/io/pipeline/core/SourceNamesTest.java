package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What a source knows of where it runs, for the connectors' log context. */
class SourceNamesTest {
    static final class Idle extends Source {
        Idle(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            return completion();
        }
    }

    static final class Owner extends Manager {
        final Idle first;
        final Idle second;

        Owner(MessageHandler handler) {
            super("owner", handler);
            first = new Idle(processorName("first"), handler);
            second = new Idle(processorName("second"), handler);
            setSource(first);
            addSource(second);
        }
    }

    @Test
    void newSource_knowsNeitherManagerNorFlow() {
        try (SyncDispatcher handler = new SyncDispatcher()) {
            Idle alone = new Idle("alone", handler);

            assertThat(alone.managerName()).isEmpty();
            assertThat(alone.flowName()).isEmpty();
        }
    }

    @Test
    void managerStartedWithoutAFlow_namesItselfOnly() {
        try (SyncDispatcher handler = new SyncDispatcher()) {
            Owner owner = new Owner(handler);
            owner.start();

            assertThat(owner.first.managerName()).contains("owner");
            assertThat(owner.second.managerName()).contains("owner");
            assertThat(owner.first.flowName()).isEmpty();
            owner.stop();
        }
    }

    @Test
    void flow_namesItselfToEverySourceOfItsManagers() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
        java.util.List<Owner> built = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Flow flow = Flow.builder().name("plant").handler(new SyncDispatcher()).clock(clock)
                .scheduler(new ManualScheduler(clock))
                .manager(handler -> {
                    Owner owner = new Owner(handler);
                    built.add(owner);
                    return owner;
                })
                .build()) {
            flow.start();

            assertThat(built).singleElement().satisfies(owner -> {
                assertThat(owner.first.flowName()).contains("plant");
                assertThat(owner.second.flowName()).contains("plant");
                assertThat(owner.second.managerName()).contains("owner");
            });
        }
    }
}
