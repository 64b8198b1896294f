package io.pipeline.operators;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.time.Instant;

/** Test payloads: a sensor reading, a series over it, and a processor that emits readings on demand. */
final class Readings {
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    static final Event<Reading> READING = Event.of("reading", Reading.class);
    static final Series<Reading> SERIES = Series.of(Reading::sensor, Reading::time, Reading::value);

    private Readings() {
    }

    record Reading(String sensor, Instant time, double value) {
        static Reading at(String sensor, long second, double value) {
            return new Reading(sensor, T0.plusSeconds(second), value);
        }
    }

    /** Emits whatever the test pushes. */
    static final class Pusher extends Processor {
        Pusher(String name, MessageHandler handler) {
            super(name, handler);
        }

        void push(Reading reading) {
            emit(READING, reading);
        }

        void push(String sensor, long second, double value) {
            push(Reading.at(sensor, second, value));
        }
    }
}
