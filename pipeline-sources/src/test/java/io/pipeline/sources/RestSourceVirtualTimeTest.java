package io.pipeline.sources;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource.Options;
import io.pipeline.sources.RestSource.Poll;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.ScriptedHttpEndpoint;
import io.pipeline.testing.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RestSource's schedule in virtual time: a {@link VirtualTime} as its clock and scheduler, a real loopback server,
 * and the default client, whose OkHttp threads take real time to answer.
 */
class RestSourceVirtualTimeTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScriptedHttpEndpoint server = ScriptedHttpEndpoint.start();
    private final SyncDispatcher handler = new SyncDispatcher();
    private final VirtualTime time = VirtualTime.startingAt(T0);
    private final BlockingQueue<Object> outcomes = new LinkedBlockingQueue<>();
    private final List<RestSource> sources = new ArrayList<>();

    @AfterEach
    void stop() {
        sources.forEach(RestSource::stop);
        server.close();
        handler.close();
    }

    private RestSource source(Options options) {
        RestSource source = new RestSource("rest", handler, server.url("/q"),
                options.withClock(time).withScheduler(time).withRequestInterval(INTERVAL));
        source.on(RestSource.DATA, outcomes::add);
        source.on(RestSource.ERROR, outcomes::add);
        sources.add(source);
        return source;
    }

    /** Checks that one poll ran (given how many tasks ran), then waits (in real time) for its outcome from OkHttp. */
    private Object outcomeOf(int tasksRun) throws InterruptedException {
        assertThat(tasksRun).as("a poll due at " + time.instant()).isEqualTo(1);
        Object outcome = outcomes.poll(10, SECONDS);
        assertThat(outcome).as("the outcome of the poll at " + time.instant()).isNotNull();
        return outcome;
    }

    /** The delay of the next poll, once the OkHttp thread that handled the last one has planned it. */
    private Duration nextPlanned() throws InterruptedException {
        time.awaitPending(1, WAIT);
        return time.nextDelay().orElseThrow();
    }

    @Test
    void poll_anHourOfPolls_inVirtualTime_eachAtStartPlusKIntervals() throws Exception {
        server.otherwise(n -> HttpReply.json("{}"));
        source(Options.defaults()).start();

        int polls = (int) (Duration.ofHours(1).toSeconds() / INTERVAL.toSeconds());
        for (int k = 0; k < polls; k++) {
            int ran = k == 0 ? time.runUntilIdle() : time.advance(Duration.ofNanos(1));
            Poll poll = (Poll) outcomeOf(ran);
            assertThat(poll.time()).isEqualTo(T0.plus(INTERVAL.multipliedBy(k)));
            // the next poll is planned exactly one interval after this one, whatever the response took in real time
            assertThat(nextPlanned()).isEqualTo(INTERVAL);
            assertThat(time.advance(INTERVAL.minusNanos(1))).isZero();
            assertThat(outcomes).isEmpty();
        }
        assertThat(server.requestCount()).isEqualTo(polls);
    }

    @Test
    void poll_retryAfter_delaysTheNextPollInVirtualTime_thenTheScheduleContinuesFromThere() throws Exception {
        server.reply(HttpReply.json("{}"), HttpReply.retryAfter(429, Duration.ofSeconds(100)))
                .otherwise(n -> HttpReply.json("{}"));
        source(Options.defaults()).start();

        assertThat(outcomeOf(time.runUntilIdle())).isInstanceOf(Poll.class);
        assertThat(nextPlanned()).isEqualTo(INTERVAL);
        assertThat(((Throwable) outcomeOf(time.advance(INTERVAL))).getCause()).hasMessageContaining("HTTP 429");
        assertThat(nextPlanned()).isEqualTo(Duration.ofSeconds(100));
        assertThat(((Poll) outcomeOf(time.advance(Duration.ofSeconds(100)))).time())
                .isEqualTo(T0.plus(INTERVAL).plusSeconds(100));
        assertThat(nextPlanned()).isEqualTo(INTERVAL);
    }

    @Test
    void start_withStartSpread_firstPollAtARandomMomentWithinIt() throws Exception {
        server.reply(HttpReply.json("{}"));
        long seed = 42;
        Duration expected = Duration.ofNanos((long) (new Random(seed).nextDouble() * INTERVAL.toNanos()));
        source(Options.defaults().withStartSpread(INTERVAL).withRandom(new Random(seed))).start();

        assertThat(time.nextDelay()).hasValueSatisfying(delay -> assertThat(delay).isEqualTo(expected)
                .isLessThan(INTERVAL));
        assertThat(time.runUntilIdle()).isZero();
        time.advance(expected);
        Poll poll = (Poll) outcomes.poll(10, SECONDS);
        assertThat(poll).isNotNull();
        assertThat(poll.time()).isEqualTo(T0.plus(expected));
    }

    @Test
    void start_withoutStartSpread_firstPollAtOnce() {
        source(Options.defaults()).start();

        assertThat(time.nextDelay()).contains(Duration.ZERO);
    }

    @Test
    void defaultClient_manySourcesOnOneHost_pollConcurrently_notFiveAtATime() throws Exception {
        int sourceCount = 12; // more than OkHttp's default of 5 requests per host
        CountDownLatch allArrived = new CountDownLatch(sourceCount);
        server.otherwise(n -> {
            allArrived.countDown();
            // every response waits until all requests are in: under a limit of 5 per host this would stall
            return awaitQuietly(allArrived) ? HttpReply.json("{}") : HttpReply.status(500);
        });
        for (int i = 0; i < sourceCount; i++) {
            source(Options.defaults()).start();
        }
        time.runUntilIdle();

        for (int i = 0; i < sourceCount; i++) {
            assertThat(outcomes.poll(15, SECONDS)).isInstanceOf(Poll.class);
        }
    }

    private static boolean awaitQuietly(CountDownLatch latch) {
        try {
            return latch.await(10, SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void poll_expectedFailure_isLoggedAsOneWarnLine_withRedactedUrlAndCount_noStackTrace() throws Exception {
        server.reply(HttpReply.status(503));
        RestSource source = new RestSource("logged", handler, server.url("/q?apikey=s3cr3t"),
                Options.defaults().withClock(time).withScheduler(time).withExceptionThreshold(7));
        sources.add(source);
        source.on(RestSource.ERROR, outcomes::add);
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.err;
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            source.start();
            outcomeOf(time.runUntilIdle());
        } finally {
            System.setErr(original);
        }
        List<String> lines = captured.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).filteredOn(line -> line.contains("RestSource")).singleElement().asString()
                .contains("WARN", "RestSource 'logged'", "HTTP 503", "apikey=REDACTED", "1 of 7", "retrying")
                .doesNotContain("s3cr3t");
        assertThat(lines).noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception:"));
    }
}
