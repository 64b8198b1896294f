package io.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ThreadLeaksTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final CountDownLatch release = new CountDownLatch(1);
    private Thread worker;

    @AfterEach
    void endWorker() throws InterruptedException {
        release.countDown();
        if (worker != null) {
            worker.join(WAIT.toMillis());
        }
    }

    private Thread start(String name) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        worker = new Thread(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        worker.start();
        assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return worker;
    }

    @Test
    void aMatchingThreadStillAlive_failsNamingIt() throws InterruptedException {
        start("leaks-test-worker");

        assertThatThrownBy(() -> ThreadLeaks.assertNoneAlive(n -> n.startsWith("leaks-test-"), Duration.ZERO))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 thread(s) still alive after PT0S")
                .hasMessageContaining("'leaks-test-worker'");
    }

    @Test
    void aMatchingThreadThatEndsWithinTheTimeout_passes() throws InterruptedException {
        Thread thread = start("leaks-test-ending");
        release.countDown(); // it ends soon, not necessarily before the check begins

        ThreadLeaks.assertNoneAlive(n -> n.equals("leaks-test-ending"), WAIT);

        assertThat(thread.isAlive()).isFalse();
    }

    @Test
    void threadsOfOtherNames_areIgnored() throws InterruptedException {
        start("leaks-test-unrelated");

        assertThatCode(() -> ThreadLeaks.assertNoneAlive(n -> n.startsWith("pipeline-none-"), Duration.ZERO))
                .doesNotThrowAnyException();
    }

    @Test
    void theCallingThread_isNeverWaitedFor() {
        String self = Thread.currentThread().getName();

        assertThatCode(() -> ThreadLeaks.assertNoneAlive(self::equals, Duration.ZERO)).doesNotThrowAnyException();
    }

    @Test
    void badArguments_areRejected() {
        assertThatThrownBy(() -> ThreadLeaks.assertNoneAlive(n -> true, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> ThreadLeaks.assertNoneAlive(null, WAIT)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> ThreadLeaks.assertNoneAlive(n -> true, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
    }

    @Test
    void anEnormousTimeout_doesNotOverflow() {
        assertThatCode(() -> ThreadLeaks.assertNoneAlive(n -> n.startsWith("pipeline-none-"),
                Duration.ofSeconds(Long.MAX_VALUE))).doesNotThrowAnyException();
    }
}
