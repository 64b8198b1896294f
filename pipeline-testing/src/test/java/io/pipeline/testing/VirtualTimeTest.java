package io.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VirtualTimeTest {
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

    private final VirtualTime time = VirtualTime.startingAt(START);
    private final List<String> log = new CopyOnWriteArrayList<>();

    private Runnable note(String what) {
        return () -> log.add(what + "@" + Duration.between(START, time.instant()).toSeconds());
    }

    @Test
    void clock_standsStill_untilAdvanced() {
        assertThat(time.instant()).isEqualTo(START);
        assertThat(time.millis()).isEqualTo(START.toEpochMilli());
        assertThat(time.getZone()).isEqualTo(java.time.ZoneOffset.UTC);

        time.advance(Duration.ofMinutes(90));

        assertThat(time.instant()).isEqualTo(START.plusSeconds(5400));
        assertThat(time.withZone(ZoneId.of("Europe/Paris")).instant()).isEqualTo(START.plusSeconds(5400));
        assertThat(time.withZone(ZoneId.of("Europe/Paris")).getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    }

    @Test
    void advance_runsDueTasksInTimeOrder_atTheirDueInstant_tiesInSubmissionOrder() {
        time.schedule(note("c"), 3, TimeUnit.SECONDS);
        time.schedule(note("a"), 1, TimeUnit.SECONDS);
        time.schedule(note("b1"), 2, TimeUnit.SECONDS);
        time.schedule(note("b2"), 2000, TimeUnit.MILLISECONDS);
        time.schedule(note("late"), 10, TimeUnit.SECONDS);

        int ran = time.advance(Duration.ofSeconds(5));

        assertThat(ran).isEqualTo(4);
        assertThat(log).containsExactly("a@1", "b1@2", "b2@2", "c@3");
        assertThat(time.instant()).isEqualTo(START.plusSeconds(5));
        assertThat(time.pending()).isEqualTo(1);
        assertThat(time.nextDue()).contains(START.plusSeconds(10));
    }

    @Test
    void nextDelay_isTheTimeLeftUntilTheNextTask_zeroForWorkDueNow_emptyWhenIdle() {
        assertThat(time.nextDelay()).isEmpty();
        time.schedule(note("later"), 10, TimeUnit.SECONDS);
        assertThat(time.nextDelay()).contains(Duration.ofSeconds(10));

        time.advance(Duration.ofSeconds(4));
        assertThat(time.nextDelay()).contains(Duration.ofSeconds(6));

        time.execute(note("now"));
        assertThat(time.nextDelay()).contains(Duration.ZERO);

        time.advance(Duration.ofSeconds(6));
        assertThat(log).containsExactly("now@4", "later@10");
        assertThat(time.nextDelay()).isEmpty();
    }

    @Test
    void advance_runsTasksScheduledWithinTheSpan_inTheSameCall() {
        time.schedule(() -> {
            note("first").run();
            time.schedule(note("chained"), 2, TimeUnit.SECONDS);
            time.execute(note("now"));
            time.schedule(note("beyond"), 10, TimeUnit.SECONDS);
        }, 1, TimeUnit.SECONDS);
        time.schedule(note("same-instant-earlier"), 1, TimeUnit.SECONDS);

        time.advance(Duration.ofSeconds(5));

        assertThat(log).containsExactly("first@1", "same-instant-earlier@1", "now@1", "chained@3");
        time.advance(Duration.ofSeconds(6));
        assertThat(log).last().isEqualTo("beyond@11");
    }

    @Test
    void execute_runsOnlyOnTheNextAdvanceOrRunUntilIdle_onTheCallingThread() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        time.execute(() -> {
            runs.incrementAndGet();
            ranOn.complete(Thread.currentThread());
        });
        Future<String> submitted = time.submit(() -> "done");

        assertThat(runs).hasValue(0);
        assertThat(submitted).isNotDone();

        assertThat(time.runUntilIdle()).isEqualTo(2);
        assertThat(runs).hasValue(1);
        assertThat(ranOn.get()).isSameAs(Thread.currentThread());
        assertThat(submitted.get()).isEqualTo("done");
        assertThat(time.instant()).isEqualTo(START);
    }

    @Test
    void fixedRate_runsEveryPeriod_includingMissedRunsInOneAdvance() {
        time.scheduleAtFixedRate(note("tick"), 10, 10, TimeUnit.SECONDS);

        time.advance(Duration.ofSeconds(35));

        assertThat(log).containsExactly("tick@10", "tick@20", "tick@30");
        time.advance(Duration.ofSeconds(5));
        assertThat(log).last().isEqualTo("tick@40");
    }

    @Test
    void fixedDelay_plansFromTheEndOfEachRun() {
        time.scheduleWithFixedDelay(note("poll"), 0, 7, TimeUnit.SECONDS);

        time.advance(Duration.ofSeconds(20));

        assertThat(log).containsExactly("poll@0", "poll@7", "poll@14");
    }

    @Test
    void periodicTask_thatThrows_isNotRunAgain_andItsFailureIsKept() {
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> future = time.scheduleAtFixedRate(() -> {
            if (runs.incrementAndGet() == 2) {
                throw new IllegalStateException("boom");
            }
        }, 1, 1, TimeUnit.SECONDS);

        time.advance(Duration.ofSeconds(10));

        assertThat(runs).hasValue(2);
        assertThat(future.isDone()).isTrue();
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).hasRootCauseMessage("boom");
        assertThat(time.taskFailures()).singleElement().isInstanceOf(IllegalStateException.class);
        assertThat(time.pending()).isZero();
    }

    @Test
    void taskThrowingAnError_doesNotStopTheOthers() {
        time.schedule(() -> {
            throw new StackOverflowError("deep");
        }, 1, TimeUnit.SECONDS);
        time.schedule(note("after"), 2, TimeUnit.SECONDS);

        time.advance(Duration.ofSeconds(2));

        assertThat(log).containsExactly("after@2");
        assertThat(time.taskFailures()).singleElement().isInstanceOf(StackOverflowError.class);
    }

    @Test
    void cancel_removesTheTask_periodicOnesToo() {
        ScheduledFuture<?> once = time.schedule(note("once"), 1, TimeUnit.SECONDS);
        ScheduledFuture<?> periodic = time.scheduleAtFixedRate(note("tick"), 1, 1, TimeUnit.SECONDS);
        time.schedule(() -> periodic.cancel(false), 2500, TimeUnit.MILLISECONDS);

        assertThat(once.cancel(false)).isTrue();
        time.advance(Duration.ofSeconds(10));

        assertThat(log).containsExactly("tick@1", "tick@2");
        assertThat(once.isCancelled()).isTrue();
        assertThat(periodic.isCancelled()).isTrue();
        assertThat(time.pending()).isZero();
    }

    @Test
    void getDelay_isVirtual() {
        ScheduledFuture<?> future = time.schedule(note("x"), 30, TimeUnit.SECONDS);

        time.advance(Duration.ofSeconds(10));

        assertThat(future.getDelay(TimeUnit.SECONDS)).isEqualTo(20);
    }

    @Test
    void advanceToNext_jumpsToTheNextTask() {
        time.schedule(note("a"), 42, TimeUnit.SECONDS);
        time.schedule(note("b"), 42, TimeUnit.SECONDS);
        time.schedule(note("c"), 50, TimeUnit.SECONDS);

        assertThat(time.advanceToNext()).contains(START.plusSeconds(42));

        assertThat(log).containsExactly("a@42", "b@42");
        assertThat(time.advanceToNext()).contains(START.plusSeconds(50));
        assertThat(time.advanceToNext()).isEmpty();
        assertThat(time.instant()).isEqualTo(START.plusSeconds(50));
    }

    @Test
    void advanceTo_thePast_keepsTheClock() {
        time.advance(Duration.ofSeconds(10));

        time.advanceTo(START);

        assertThat(time.instant()).isEqualTo(START.plusSeconds(10));
    }

    @Test
    void advance_fromATask_throws_andTheOuterAdvanceCarriesOn() {
        time.schedule(() -> time.advance(Duration.ofSeconds(1)), 1, TimeUnit.SECONDS);
        time.schedule(note("after"), 2, TimeUnit.SECONDS);

        time.advance(Duration.ofSeconds(3));

        assertThat(time.taskFailures()).singleElement().asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.THROWABLE).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot advance");
        assertThat(log).containsExactly("after@2");
    }

    @Test
    void stepListenerThatThrows_endsThatAdvance_andTimeCanStillBeAdvanced() {
        var subscription = time.onStep(() -> {
            throw new StackOverflowError("listener");
        });
        time.schedule(note("a"), 1, TimeUnit.SECONDS);

        assertThatThrownBy(() -> time.advance(Duration.ofSeconds(5))).isInstanceOf(StackOverflowError.class);
        subscription.cancel();
        time.advance(Duration.ofSeconds(5));

        assertThat(log).containsExactly("a@1");
        assertThat(time.instant()).isEqualTo(START.plusSeconds(6));
    }

    @Test
    void advance_whileAnotherThreadAdvances_throws() throws Exception {
        java.util.concurrent.CountDownLatch inTask = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        time.schedule(() -> {
            inTask.countDown();
            release.await(10, TimeUnit.SECONDS);
            return null;
        }, 1, TimeUnit.SECONDS);
        Thread driver = new Thread(() -> time.advance(Duration.ofSeconds(2)), "driver");
        driver.start();
        assertThat(inTask.await(10, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(time::runUntilIdle).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already being advanced by thread driver");
        assertThat(time.isTerminated()).isFalse();
        release.countDown();
        driver.join(10_000);
        assertThat(driver.isAlive()).isFalse();
        assertThat(time.instant()).isEqualTo(START.plusSeconds(2));
    }

    @Test
    void badArguments_areRejected_withTheValue() {
        assertThatThrownBy(() -> time.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> time.scheduleAtFixedRate(note("x"), 0, 0, TimeUnit.SECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period must be positive: 0");
        assertThatThrownBy(() -> time.scheduleWithFixedDelay(note("x"), 0, -5, TimeUnit.SECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay must be positive: -5");
        assertThatThrownBy(() -> time.invokeAll(List.of(() -> 1))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void negativeDelay_runsNow_andHugeDurationsSaturate() {
        time.schedule(note("negative"), -5, TimeUnit.SECONDS);
        time.schedule(note("forever"), Long.MAX_VALUE, TimeUnit.DAYS);

        time.runUntilIdle();
        assertThat(log).containsExactly("negative@0");

        time.advance(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(time.instant()).isEqualTo(Instant.MAX);
        assertThat(log).hasSize(2);
    }

    @Test
    void fixedRate_pastInstantMax_stopsInsteadOfLoopingForever() {
        time.advanceTo(Instant.MAX.minusSeconds(25));
        time.scheduleAtFixedRate(note("tick"), 10, 10, TimeUnit.SECONDS);

        time.advance(Duration.ofDays(1));

        // at MAX - 15 s, MAX - 5 s, and once at MAX itself, where the next run could not be later
        assertThat(log).hasSize(3);
        assertThat(time.pending()).isZero();
    }

    @Test
    void shutdown_rejectsNewTasks_dropsPeriodic_runsDelayed_thenTerminates() throws Exception {
        time.schedule(note("delayed"), 5, TimeUnit.SECONDS);
        time.scheduleAtFixedRate(note("tick"), 1, 1, TimeUnit.SECONDS);

        time.shutdown();

        assertThat(time.isShutdown()).isTrue();
        assertThat(time.isTerminated()).isFalse();
        assertThatThrownBy(() -> time.execute(note("late"))).isInstanceOf(RejectedExecutionException.class);
        assertThat(time.awaitTermination(0, TimeUnit.SECONDS)).isFalse();
        time.advance(Duration.ofSeconds(10));
        assertThat(log).containsExactly("delayed@5");
        assertThat(time.isTerminated()).isTrue();
        assertThat(time.awaitTermination(1, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shutdownNow_returnsTheUnrunTasks() {
        time.schedule(note("a"), 1, TimeUnit.SECONDS);
        time.execute(note("b"));

        List<Runnable> left = time.shutdownNow();

        assertThat(left).hasSize(2);
        assertThat(time.isTerminated()).isTrue();
        time.advance(Duration.ofSeconds(5));
        assertThat(log).isEmpty();
    }

    @Test
    void otherThreads_canSchedule_andTheTestCanWaitForIt() throws Exception {
        Thread other = new Thread(() -> time.schedule(note("from-other"), 3, TimeUnit.SECONDS), "other");
        other.start();

        time.awaitPending(1, Duration.ofSeconds(10));
        time.advance(Duration.ofSeconds(3));

        assertThat(log).containsExactly("from-other@3");
        other.join(10_000);
    }

    @Test
    void awaitTaskDueWithin_waitsForANearTask_whileAFarOneIsScheduled() throws Exception {
        time.schedule(note("far"), 30, TimeUnit.SECONDS);
        Thread other = new Thread(() -> time.schedule(note("near"), 1, TimeUnit.SECONDS), "other");
        other.start();

        assertThat(time.awaitTaskDueWithin(Duration.ofSeconds(1), Duration.ofSeconds(10)))
                .isEqualTo(START.plusSeconds(1));
        other.join(10_000);
        assertThatThrownBy(() -> time.awaitTaskDueWithin(Duration.ZERO, Duration.ofMillis(1)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("the next is due " + START.plusSeconds(1));
    }

    @Test
    void awaitPending_timesOut_withAnAssertionError() {
        assertThatThrownBy(() -> time.awaitPending(1, Duration.ofMillis(1))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected at least 1 scheduled task(s)");
    }

    @Test
    void onStep_isCalledAfterEachTaskAndAtTheEnd() {
        List<Instant> steps = new ArrayList<>();
        var subscription = time.onStep(() -> steps.add(time.instant()));
        time.schedule(note("a"), 1, TimeUnit.SECONDS);
        time.schedule(note("b"), 1, TimeUnit.SECONDS);
        time.schedule(note("c"), 2, TimeUnit.SECONDS);

        time.advance(Duration.ofSeconds(4));

        assertThat(steps).containsExactly(START.plusSeconds(1), START.plusSeconds(1), START.plusSeconds(2),
                START.plusSeconds(4));
        subscription.cancel();
        time.advance(Duration.ofSeconds(1));
        assertThat(steps).hasSize(4);
    }

    @Test
    void cronSource_ticksOnVirtualTime_asTheClassCommentShows() {
        try (io.pipeline.core.SyncDispatcher handler = new io.pipeline.core.SyncDispatcher()) {
            VirtualTime time = VirtualTime.startingAt(Instant.parse("2026-01-05T09:30:00Z"));
            var ticks = new io.pipeline.core.CronSource("ticks", handler, Duration.ofMinutes(1), time, time);
            EventRecorder<Instant> seen = EventRecorder.of(ticks, io.pipeline.core.CronSource.TICK);
            ticks.start();

            time.advance(Duration.ofMinutes(3));

            assertThat(seen.values()).containsExactly(Instant.parse("2026-01-05T09:31:00Z"),
                    Instant.parse("2026-01-05T09:32:00Z"), Instant.parse("2026-01-05T09:33:00Z"));
            ticks.stop();
        }
    }

    @Test
    void manyPeriodicRuns_areCheap() {
        AtomicInteger runs = new AtomicInteger();
        time.scheduleAtFixedRate(runs::incrementAndGet, 0, 10, TimeUnit.SECONDS);

        time.advance(Duration.ofDays(7));

        assertThat(runs).hasValue(7 * 8640 + 1);
    }
}
