package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The flow's MBeans, read back through the platform MBean server. */
class FlowJmxTest {
    final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    Flow flow;
    FlowTest.TestManager manager;

    @AfterEach
    void closeFlow() {
        if (flow != null) {
            flow.close();
        }
    }

    Flow.Builder builder(String name) {
        return Flow.builder().name(name).jmx(true).handler(new SyncDispatcher()).clock(clock).scheduler(scheduler)
                .errorReporter(new RecordingErrorReporter())
                .manager(handler -> manager = new FlowTest.TestManager("m", handler, true));
    }

    @Test
    void start_registersFlowManagerAndProcessorMBeans_withLiveValues() throws Exception {
        flow = builder("jmx-flow").build();
        flow.start();
        manager.source.emit(FlowTest.WORD, "a");
        manager.source.emit(FlowTest.WORD, "b");

        ObjectName flowName = new ObjectName("io.pipeline:type=Flow,name=jmx-flow");
        ObjectName managerName = new ObjectName("io.pipeline:type=Flow,name=jmx-flow,manager=m");
        ObjectName sourceName = new ObjectName("io.pipeline:type=Flow,name=jmx-flow,manager=m,processor=m.source");
        ObjectName processorName =
                new ObjectName("io.pipeline:type=Flow,name=jmx-flow,manager=m,processor=m.processor");

        assertThat(server.getAttribute(flowName, "Health")).isEqualTo("UP");
        assertThat(server.getAttribute(flowName, "Handler")).isEqualTo("SyncDispatcher");
        assertThat(server.getAttribute(flowName, "Managers")).isEqualTo(1);
        assertThat(server.getAttribute(managerName, "State")).isEqualTo("RUNNING");
        assertThat(server.getAttribute(managerName, "Restarts")).isEqualTo(0);
        assertThat(server.getAttribute(managerName, "LastStartMillis")).isEqualTo(clock.millis());
        assertThat(server.getAttribute(sourceName, "Emitted")).isEqualTo(2L);
        assertThat(server.getAttribute(processorName, "Delivered")).isEqualTo(2L);
        assertThat(server.getAttribute(processorName, "ListenerFailures")).isEqualTo(0L);
        assertThat(server.getMBeanInfo(sourceName).getAttributes()).extracting(a -> a.getName())
                .contains("Emitted", "Delivered", "ListenerFailures", "DeadEvents", "ListenerTimeSamples",
                        "ListenerTimeTotalNanos", "ListenerTimeMaxNanos", "Stalled", "LastEmitMillis");
        assertThat(server.queryNames(new ObjectName("io.pipeline:type=Flow,name=jmx-flow,*"), null)).hasSize(4);

        flow.close();
        assertThat(server.queryNames(new ObjectName("io.pipeline:type=Flow,name=jmx-flow,*"), null)).isEmpty();
    }

    @Test
    void afterAFailure_managerMBeanShowsTheErrorAndRestart() throws Exception {
        flow = builder("jmx-restart").restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1),
                Duration.ofMinutes(1)).withRandomFactor(0)).build();
        flow.start();
        manager.source.failWith(new IllegalStateException("gone"));
        scheduler.runReady();
        ObjectName managerName = new ObjectName("io.pipeline:type=Flow,name=jmx-restart,manager=m");
        assertThat(server.getAttribute(managerName, "State")).isEqualTo("RESTARTING");
        assertThat((String) server.getAttribute(managerName, "LastError")).contains("gone");
        assertThat(server.getAttribute(new ObjectName("io.pipeline:type=Flow,name=jmx-restart"), "Health"))
                .isEqualTo("DEGRADED");

        scheduler.advance(Duration.ofSeconds(1));
        assertThat(server.getAttribute(managerName, "Restarts")).isEqualTo(1);
        assertThat(server.isRegistered(
                new ObjectName("io.pipeline:type=Flow,name=jmx-restart,manager=m,processor=m.source"))).isTrue();
    }

    @Test
    void sourceCounters_areAttributes() throws Exception {
        flow = Flow.builder().name("jmx-cron").jmx(true).handler(new SyncDispatcher()).clock(clock)
                .scheduler(scheduler).manager(h -> new FlowMetricsTest.Ticking(h, clock, scheduler)).build();
        flow.start();
        scheduler.advance(Duration.ofSeconds(20));
        ObjectName source = new ObjectName("io.pipeline:type=Flow,name=jmx-cron,manager=cron,processor=cron.source");
        assertThat(server.getAttribute(source, "Counter.ticks")).isEqualTo(2L);
    }

    @Test
    void aSecondFlowOfTheSameName_failsToStart() {
        flow = builder("jmx-twice").build();
        flow.start();
        Flow second = Flow.builder().name("jmx-twice").jmx(true).handler(new SyncDispatcher())
                .manager(handler -> new FlowTest.TestManager("m", handler, true)).build();
        assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jmx-twice");
        assertThat(second.isTerminated()).isTrue();
        assertThat(server.isRegistered(FlowJmx.flowName("jmx-twice"))).isTrue(); // the first one's stays
    }

    @Test
    void namesThatNeedQuoting_areQuoted() throws Exception {
        flow = builder("a,b=c").build();
        flow.start();
        assertThat(server.isRegistered(new ObjectName("io.pipeline:type=Flow,name=" + ObjectName.quote("a,b=c"))))
                .isTrue();
    }

    @Test
    void withoutJmx_nothingIsRegistered() throws Exception {
        flow = Flow.builder().name("no-jmx").handler(new SyncDispatcher()).scheduler(scheduler)
                .manager(handler -> new FlowTest.TestManager("m", handler, true)).build();
        flow.start();
        assertThat(server.queryNames(new ObjectName("io.pipeline:type=Flow,name=no-jmx,*"), null)).isEmpty();
    }
}
