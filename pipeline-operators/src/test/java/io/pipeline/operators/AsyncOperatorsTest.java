package io.pipeline.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.operators.Readings.Pusher;
import io.pipeline.operators.Readings.Reading;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Operators on a real AsyncDispatcher with a real scheduler: timer work runs on the loop thread. */
class AsyncOperatorsTest {
    final AsyncDispatcher handler = new AsyncDispatcher();
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void close() throws InterruptedException {
        handler.close();
        scheduler.shutdownNow();
        assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void windowOfAQuietSensor_closedByTheClock_onTheLoopThread() throws InterruptedException {
        Pusher in = new Pusher("in", handler);
        Instant now = Instant.now();
        // a 100 ms window, closed by the clock 2 s after its end (the grace covers a slow delivery on a busy machine)
        WindowSpec spec = WindowSpec.timeTumbling(Duration.ofMillis(100)).withClockGrace(Duration.ofSeconds(2));
        Window<Reading> window = new Window<>("w", handler, spec, Reading::sensor, Reading::time,
                OperatorOptions.defaults().withFreshState().withClock(Clock.systemUTC()).withScheduler(scheduler));
        in.on(Readings.READING, window::accept);
        List<String> threads = new CopyOnWriteArrayList<>();
        CountDownLatch closed = new CountDownLatch(1);
        window.on(window.out(), pane -> {
            threads.add(Thread.currentThread().getName());
            closed.countDown();
        });
        in.push(new Reading("k", now, 1));

        assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(threads).singleElement().satisfies(name -> assertThat(name).startsWith("pipeline-dispatcher-"));
        window.close();
    }

    @Test
    void throttle_twoEmittingThreads_latestWinsPerKey_nothingLost() throws InterruptedException {
        Pusher a = new Pusher("a", handler);
        Pusher b = new Pusher("b", handler);
        Throttle<Reading> throttle = new Throttle<>("throttle", handler, Reading::sensor, Duration.ofMillis(20),
                OperatorOptions.defaults().withFreshState().withScheduler(scheduler));
        a.on(Readings.READING, throttle::accept);
        b.on(Readings.READING, throttle::accept);
        List<Reading> out = new CopyOnWriteArrayList<>();
        CountDownLatch last = new CountDownLatch(2);
        throttle.on(throttle.out(), r -> {
            out.add(r);
            if (r.value() == 999) {
                last.countDown();
            }
        });
        Thread ta = new Thread(() -> {
            for (int i = 0; i <= 999; i++) {
                a.push("x", i, i);
            }
        });
        Thread tb = new Thread(() -> {
            for (int i = 0; i <= 999; i++) {
                b.push("y", i, i);
            }
        });
        ta.start();
        tb.start();
        ta.join(10_000);
        tb.join(10_000);
        assertThat(last.await(10, TimeUnit.SECONDS)).isTrue(); // each key's final value arrives, at the latest at its interval end
        assertThat(out).filteredOn(r -> r.sensor().equals("x")).extracting(Reading::value).isSorted();
        throttle.close();
    }
}
