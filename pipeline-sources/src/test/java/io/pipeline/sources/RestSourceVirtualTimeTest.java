package io.pipeline.sources;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource.Options;
import io.pipeline.sources.RestSource.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RestSource's schedule in virtual time: a manual clock and scheduler, a real loopback server. */
class RestSourceVirtualTimeTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static final Duration INTERVAL = Duration.ofSeconds(30);

    private final MockWebServer server = new MockWebServer();
    private final SyncDispatcher handler = new SyncDispatcher();
    private final ManualClock clock = new ManualClock(T0);
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final BlockingQueue<Object> outcomes = new LinkedBlockingQueue<>();
    private final List<RestSource> sources = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stop() {
        sources.forEach(RestSource::stop);
        server.close();
        handler.close();
    }

    private RestSource source(Options options) {
        RestSource source = new RestSource("rest", handler, server.url("/q").toString(),
                options.withClock(clock).withScheduler(scheduler).withRequestInterval(INTERVAL));
        source.on(RestSource.DATA, outcomes::add);
        source.on(RestSource.ERROR, outcomes::add);
        sources.add(source);
        return source;
    }

    /** Runs what is due now, then waits (in real time) for the poll's outcome from the OkHttp thread. */
    private Object pollNow() throws InterruptedException {
        scheduler.scheduled.clear();
        assertThat(scheduler.runReady()).as("a poll due at " + clock.instant()).isEqualTo(1);
        Object outcome = outcomes.poll(10, SECONDS);
        assertThat(outcome).as("the outcome of the poll at " + clock.instant()).isNotNull();
        return outcome;
    }

    @Test
    void poll_anHourOfPolls_inVirtualTime_eachAtStartPlusKIntervals() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).body("{}").build();
            }
        });
        source(Options.defaults()).start();

        int polls = (int) (Duration.ofHours(1).toSeconds() / INTERVAL.toSeconds());
        for (int k = 0; k < polls; k++) {
            Poll poll = (Poll) pollNow();
            assertThat(poll.time()).isEqualTo(T0.plus(INTERVAL.multipliedBy(k)));
            // the next poll is planned exactly one interval after this one, whatever the response took in real time
            assertThat(scheduler.nextScheduled()).isEqualTo(INTERVAL);
            scheduler.advance(INTERVAL.minusNanos(1));
            assertThat(outcomes).isEmpty();
            clock.advance(Duration.ofNanos(1));
        }
        assertThat(server.getRequestCount()).isEqualTo(polls);
    }

    @Test
    void poll_retryAfter_delaysTheNextPollInVirtualTime_thenTheScheduleContinuesFromThere() throws Exception {
        AtomicInteger count = new AtomicInteger();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return count.incrementAndGet() == 2
                        ? new MockResponse.Builder().code(429).addHeader("Retry-After", "100").build()
                        : new MockResponse.Builder().code(200).body("{}").build();
            }
        });
        source(Options.defaults()).start();

        assertThat(pollNow()).isInstanceOf(Poll.class);
        assertThat(scheduler.nextScheduled()).isEqualTo(INTERVAL);
        clock.advance(INTERVAL);
        assertThat(((Throwable) pollNow()).getCause()).hasMessageContaining("HTTP 429");
        assertThat(scheduler.nextScheduled()).isEqualTo(Duration.ofSeconds(100));
        clock.advance(Duration.ofSeconds(100));
        assertThat(((Poll) pollNow()).time()).isEqualTo(T0.plus(INTERVAL).plusSeconds(100));
        assertThat(scheduler.nextScheduled()).isEqualTo(INTERVAL);
    }

    @Test
    void start_withStartSpread_firstPollAtARandomMomentWithinIt() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
        long seed = 42;
        Duration expected = Duration.ofNanos((long) (new Random(seed).nextDouble() * INTERVAL.toNanos()));
        source(Options.defaults().withStartSpread(INTERVAL).withRandom(new Random(seed))).start();

        assertThat(scheduler.nextDelay()).isEqualTo(expected).isLessThan(INTERVAL);
        assertThat(scheduler.runReady()).isZero();
        scheduler.advance(expected);
        Poll poll = (Poll) outcomes.poll(10, SECONDS);
        assertThat(poll).isNotNull();
        assertThat(poll.time()).isEqualTo(T0.plus(expected));
    }

    @Test
    void start_withoutStartSpread_firstPollAtOnce() {
        source(Options.defaults()).start();

        assertThat(scheduler.nextDelay()).isZero();
    }

    @Test
    void defaultClient_manySourcesOnOneHost_pollConcurrently_notFiveAtATime() throws Exception {
        int sourceCount = 12; // more than OkHttp's default of 5 requests per host
        CountDownLatch allArrived = new CountDownLatch(sourceCount);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                allArrived.countDown();
                // every response waits until all requests are in: under a limit of 5 per host this would stall
                return allArrived.await(10, SECONDS) ? new MockResponse.Builder().code(200).body("{}").build()
                        : new MockResponse.Builder().code(500).build();
            }
        });
        for (int i = 0; i < sourceCount; i++) {
            source(Options.defaults()).start();
        }
        scheduler.runReady();

        for (int i = 0; i < sourceCount; i++) {
            assertThat(outcomes.poll(15, SECONDS)).isInstanceOf(Poll.class);
        }
    }

    @Test
    void poll_expectedFailure_isLoggedAsOneWarnLine_withRedactedUrlAndCount_noStackTrace() throws Exception {
        server.enqueue(new MockResponse.Builder().code(503).body("busy").build());
        RestSource source = new RestSource("logged", handler, server.url("/q?apikey=s3cr3t").toString(),
                Options.defaults().withClock(clock).withScheduler(scheduler).withExceptionThreshold(7));
        sources.add(source);
        source.on(RestSource.ERROR, outcomes::add);
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.err;
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            source.start();
            pollNow();
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
