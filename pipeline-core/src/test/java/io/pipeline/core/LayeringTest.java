package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Layers point down: events ← dispatch ← processors ← supervision. The dispatch classes' bytecode must not name
 * the supervision layer (a class reference in the constant pool is the type's internal name).
 */
class LayeringTest {
    @ParameterizedTest
    @ValueSource(strings = {"Subscriber", "Subscriber$Async", "Subscriber$Plain", "Topic", "Route", "Target",
            "ProcessorTopics", "InlineDelivery", "Dispatcher", "SyncDispatcher", "AsyncDispatcher", "Admission",
            "DeliveryLoop", "LaneEntry", "BoundedRing", "Completion", "StartGate", "RetainedState"})
    void dispatchClass_doesNotReferToSupervision(String simpleName) throws IOException {
        String bytecode;
        try (InputStream in = LayeringTest.class.getResourceAsStream(simpleName + ".class")) {
            assertThat(in).as(simpleName + ".class").isNotNull();
            bytecode = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        assertThat(bytecode).doesNotContain("io/pipeline/core/Manager").doesNotContain("io/pipeline/core/Flow");
    }
}
