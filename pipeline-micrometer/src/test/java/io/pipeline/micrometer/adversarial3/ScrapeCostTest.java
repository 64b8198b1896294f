package io.pipeline.micrometer.adversarial3;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Source;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.micrometer.FlowMeterBinder;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A scrape reads every meter once; a meter of one manager must cost that manager's figures, not a snapshot of the
 * whole flow, or a scrape grows with the square of the managers (a flow of 10,000 pollers, as docs/BENCHMARKS.md
 * runs, could not be scraped at all). Counted, not timed: every snapshot of a source asks it for its
 * {@link Source#expectedInterval()}.
 */
class ScrapeCostTest {
    static final Event<String> LINE = Event.of("line", String.class);
    static final AtomicLong SNAPSHOTS_OF_A_SOURCE = new AtomicLong();

    static final class Feed extends Source {
        Feed(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public CompletableFuture<Void> start() {
            return completion();
        }

        @Override
        public Optional<Duration> expectedInterval() {
            SNAPSHOTS_OF_A_SOURCE.incrementAndGet();
            return Optional.empty();
        }
    }

    @Test
    void scrape_readsEachManagerForItsOwnMeters_notTheWholeFlowPerMeter() {
        int managers = 40;
        Flow.Builder builder = Flow.builder().name("scrape-cost").handler(new SyncDispatcher()).stallWatchdog(false);
        for (int i = 0; i < managers; i++) {
            String name = "m" + i;
            builder.manager(h -> new Manager(name, h) {
                {
                    Feed feed = new Feed(processorName("source"), h);
                    feed.on(LINE, l -> { });
                    setSource(feed);
                }
            });
        }
        try (Flow flow = builder.build()) {
            flow.start();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new FlowMeterBinder(flow).bindTo(registry);
            SNAPSHOTS_OF_A_SOURCE.set(0);

            int meters = 0;
            for (Meter meter : registry.getMeters()) {
                meter.measure().forEach(measurement -> measurement.getValue());
                meters++;
            }

            // A snapshot of the whole flow per meter would be managers × meters source reads (here some 27,000);
            // per manager, one per meter of a manager plus a few flow-wide snapshots for the queue meters.
            assertThat(meters).isGreaterThan(managers * 10);
            assertThat(SNAPSHOTS_OF_A_SOURCE.get()).isLessThanOrEqualTo(2L * meters);
        }
    }
}
