package io.pipeline.sources;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.RecoveredFailure;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource.FailureThresholdException;
import io.pipeline.sources.RestSource.Options;
import io.pipeline.sources.RestSource.Poll;
import io.pipeline.sources.RestSource.PollException;
import io.pipeline.testing.HttpReply;
import io.pipeline.testing.ScriptedHttpEndpoint;
import io.pipeline.testing.VirtualTime;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RestSourceTest {
    private static final Instant NOW = Instant.parse("2026-11-21T10:15:30Z");

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScriptedHttpEndpoint server = ScriptedHttpEndpoint.start();
    private final SyncDispatcher handler = new SyncDispatcher();
    private final List<RestSource> sources = new ArrayList<>();
    private final BlockingQueue<Poll> data = new LinkedBlockingQueue<>();
    private final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();

    private final Options fast = Options.defaults()
            .withRequestInterval(Duration.ofMillis(20))
            .withConnectTimeout(Duration.ofSeconds(2))
            .withReadTimeout(Duration.ofSeconds(2))
            .withCallTimeout(Duration.ofSeconds(4));

    @AfterEach
    void tearDown() {
        sources.forEach(RestSource::stop);
        server.close();
        handler.close();
    }

    private RestSource source(String url, Options options) {
        RestSource source = new RestSource("rest", handler, url, options);
        source.on(RestSource.DATA, data::add);
        source.on(RestSource.ERROR, error -> errors.add(recovered(error)));
        sources.add(source);
        return source;
    }

    /** Every failed poll is emitted as a RecoveredFailure whose cause is the PollException. */
    private static Throwable recovered(Throwable error) {
        assertThat(error).isInstanceOf(RecoveredFailure.class).hasCauseInstanceOf(PollException.class);
        return error.getCause();
    }

    private RestSource source(Options options) {
        return source(server.url("/quote?symbol=AAPL"), options);
    }

    private Poll nextData() throws InterruptedException {
        Poll poll = data.poll(5, SECONDS);
        assertThat(poll).as("DATA within 5 s").isNotNull();
        return poll;
    }

    private Throwable nextError() throws InterruptedException {
        Throwable error = errors.poll(5, SECONDS);
        assertThat(error).as("ERROR within 5 s").isNotNull();
        return error;
    }

    /** The delay of the next poll on {@code time}, once the thread that handled the last one has planned it. */
    private static Duration nextPlanned(VirtualTime time) throws InterruptedException {
        time.awaitPending(1, WAIT);
        return time.nextDelay().orElseThrow();
    }

    /**
     * A real scheduler that records every delay asked of it: for the one test that needs polls to start in real
     * time (the others plan theirs on a {@link VirtualTime}).
     */
    private static final class DelayRecordingScheduler extends ScheduledThreadPoolExecutor {
        final List<Duration> delays = new CopyOnWriteArrayList<>();

        DelayRecordingScheduler() {
            super(1, task -> {
                Thread thread = new Thread(task, "test-rest-scheduler");
                thread.setDaemon(true);
                return thread;
            });
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            delays.add(Duration.ofNanos(unit.toNanos(delay)));
            return super.schedule(command, delay, unit);
        }
    }

    private static boolean awaitQuietly(CountDownLatch latch) {
        try {
            return latch.await(5, SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---- success --------------------------------------------------------------------------------------------

    @Test
    void poll_on200_emitsDataWithParsedBodyStatusHeadersAndClockTime() throws Exception {
        server.reply(HttpReply.of(new MockResponse.Builder().code(200).addHeader("X-Trace", "t1")
                .body("{\"symbol\":\"AAPL\",\"price\":187.5,\"levels\":[1,2]}").build()));
        RestSource source = source(fast.withClock(Clock.fixed(NOW, ZoneOffset.UTC)).withHeader("X-Client", "test"));

        CompletableFuture<Void> future = source.start();

        Poll poll = nextData();
        assertThat(poll.status()).isEqualTo(200);
        assertThat(poll.time()).isEqualTo(NOW);
        assertThat(poll.body().get("price").asDouble()).isEqualTo(187.5);
        assertThat(poll.body().get("levels").get(1).asInt()).isEqualTo(2);
        assertThat(poll.headers().get("X-Trace")).isEqualTo("t1");
        RecordedRequest request = server.awaitRequest(1, WAIT);
        assertThat(request.getMethod()).isEqualTo("GET");
        assertThat(request.getUrl().queryParameter("symbol")).isEqualTo("AAPL");
        assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
        assertThat(request.getHeaders().get("X-Client")).isEqualTo("test");
        assertThat(request.getHeaders().get("If-None-Match")).isNull();
        assertThat(errors).isEmpty();
        assertThat(future).isNotDone();
    }

    @Test
    void poll_everyInterval_emitsEachResponseInOrder() throws Exception {
        for (int i = 1; i <= 3; i++) {
            server.reply(HttpReply.json("{\"n\":" + i + "}"));
        }
        source(fast).start();

        assertThat(nextData().body().get("n").asInt()).isEqualTo(1);
        assertThat(nextData().body().get("n").asInt()).isEqualTo(2);
        assertThat(nextData().body().get("n").asInt()).isEqualTo(3);
    }

    @Test
    void buildRequest_overridden_isUsed() throws Exception {
        server.reply(HttpReply.json("{}"));
        RestSource source = new RestSource("custom", handler, server.url("/a"), fast) {
            @Override
            protected Request buildRequest() {
                Request base = super.buildRequest();
                return base.newBuilder().url(base.url().newBuilder().addQueryParameter("page", "2").build()).build();
            }
        };
        sources.add(source);
        source.on(RestSource.DATA, data::add);
        source.start();

        nextData();
        RecordedRequest request = server.awaitRequest(1, WAIT);
        assertThat(request.getUrl().queryParameter("page")).isEqualTo("2");
        assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
    }

    // ---- failures -------------------------------------------------------------------------------------------

    @Test
    void poll_on500_emitsErrorAndCounts_successResets() throws Exception {
        server.reply(HttpReply.status(500));
        server.reply(HttpReply.status(404));
        server.reply(HttpReply.json("{\"ok\":true}"));
        RestSource source = source(fast.withExceptionThreshold(5));
        CompletableFuture<Integer> failuresSeenWithData = new CompletableFuture<>();
        source.on(RestSource.DATA, poll -> failuresSeenWithData.complete(source.consecutiveFailures()));

        CompletableFuture<Void> future = source.start();

        PollException first = (PollException) nextError();
        assertThat(first.status()).isEqualTo(500);
        assertThat(first.url()).isEqualTo(source.redactedUrl());
        assertThat(first.getMessage()).contains(server.url("/quote"), "HTTP 500");
        PollException second = (PollException) nextError();
        assertThat(second.getMessage()).contains("HTTP 404");
        assertThat(failuresSeenWithData.get(5, SECONDS)).isZero();
        assertThat(source.consecutiveFailures()).isZero();
        assertThat(future).isNotDone();
    }

    @Test
    void poll_thresholdConsecutiveFailures_failsFutureWithLastFailureAsCause() throws Exception {
        server.reply(HttpReply.status(404));
        server.reply(HttpReply.json("{\"price\": 1.5"));
        server.reply(HttpReply.status(500));
        RestSource source = source(fast.withExceptionThreshold(3));

        CompletableFuture<Void> future = source.start();

        assertThatThrownBy(() -> future.get(5, SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(FailureThresholdException.class)
                .hasMessageContaining(source.redactedUrl()).hasMessageContaining("3 times in a row")
                .cause().isInstanceOf(PollException.class).hasMessageContaining("HTTP 500");
        assertThat(errors).hasSize(3);
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void poll_successBetweenFailures_resetsCount() throws Exception {
        // threshold 2: only the last two failures in a row fail the source
        server.reply(HttpReply.status(500));
        server.reply(HttpReply.json("{\"n\":1}"));
        server.reply(HttpReply.status(503));
        server.reply(HttpReply.json("{\"n\":2}"));
        server.reply(HttpReply.status(500));
        server.reply(HttpReply.json("not json"));
        RestSource source = source(fast.withExceptionThreshold(2));

        CompletableFuture<Void> future = source.start();

        assertThatThrownBy(() -> future.get(5, SECONDS)).cause().isInstanceOf(FailureThresholdException.class)
                .hasMessageContaining("2 times in a row");
        assertThat(server.requestCount()).isEqualTo(6);
        assertThat(data).extracting(p -> p.body().get("n").asInt()).containsExactly(1, 2);
        assertThat(errors).hasSize(4);
    }

    @Test
    void poll_malformedJson_emitsError() throws Exception {
        server.reply(HttpReply.json("{\"price\": 1.5,"));
        server.reply(HttpReply.json("{\"price\": 1.5} trailing"));
        source(fast).start();

        assertThat(nextError()).isInstanceOf(PollException.class).hasMessageContaining("not valid JSON")
                .hasMessageContaining(server.url("/quote"));
        assertThat(nextError()).hasMessageContaining("not valid JSON");
        assertThat(data).isEmpty();
    }

    @Test
    void poll_nestingDeeperThanReadConstraints_emitsError() throws Exception {
        int depth = Options.DEFAULT_READ_CONSTRAINTS.getMaxNestingDepth() + 1;
        server.reply(HttpReply.json("[".repeat(depth) + "]".repeat(depth)));
        source(fast).start();

        assertThat(nextError()).hasMessageContaining("not valid JSON").hasMessageContaining("nesting depth");
    }

    @Test
    void poll_truncatedBody_emitsError() throws Exception {
        server.reply(HttpReply.truncated());
        RestSource source = source(fast);
        source.start();

        PollException error = (PollException) nextError();
        assertThat(error.status()).isEqualTo(200);
        assertThat(error).hasMessageContaining("body truncated or unreadable").hasMessageContaining(source.redactedUrl());
        assertThat(data).isEmpty();
    }

    @Test
    void poll_contentLengthOverCap_emitsError() throws Exception {
        server.reply(HttpReply.json("[" + "1,".repeat(100) + "1]"));
        source(fast.withMaxBodyBytes(100)).start();

        assertThat(nextError()).hasMessageContaining("(Content-Length) exceeds maxBodyBytes 100");
    }

    @Test
    void poll_chunkedBodyOverCap_emitsErrorWhileReading() throws Exception {
        server.reply(HttpReply.of(new MockResponse.Builder().code(200).chunkedBody("[" + "1,".repeat(5000) + "1]", 64)
                .build()), HttpReply.of(new MockResponse.Builder().code(200).chunkedBody("[" + "1,".repeat(40) + "1]", 16)
                .build()));
        source(fast.withMaxBodyBytes(100)).start();

        assertThat(nextError()).hasMessageContaining("body exceeds maxBodyBytes 100");
        assertThat(nextData().body().size()).isEqualTo(41); // 83 bytes: under the cap
    }

    @Test
    void poll_stalledServer_timesOut() throws Exception {
        server.reply(HttpReply.stall());
        source(fast.withReadTimeout(Duration.ofMillis(200))).start();

        PollException error = (PollException) nextError();
        assertThat(error.status()).isZero();
        assertThat(error).hasMessageContaining("timed out").hasMessageContaining(server.url("/quote"));
    }

    @Test
    void poll_connectionRefused_emitsErrorAndFailsAtThreshold() throws Exception {
        String url = ScriptedHttpEndpoint.refusedUrl("/prices");
        RestSource source = source(url, fast.withExceptionThreshold(2));

        CompletableFuture<Void> future = source.start();

        assertThatThrownBy(() -> future.get(5, SECONDS)).cause().isInstanceOf(FailureThresholdException.class)
                .hasMessageContaining(url);
        PollException error = (PollException) nextError();
        assertThat(error.status()).isZero();
        assertThat(error).hasMessageContaining(url).hasMessageContaining("request failed");
        assertThat(error.getCause()).isInstanceOf(IOException.class);
    }

    // ---- Retry-After ----------------------------------------------------------------------------------------

    @Test
    void poll_429And503WithRetryAfter_delayNextPoll_cappedAtMax() throws Exception {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(90).atOffset(ZoneOffset.UTC));
        server.reply(HttpReply.retryAfter(429, "7"), HttpReply.retryAfter(503, date), HttpReply.retryAfter(500, "30"),
                HttpReply.json("{}"));
        VirtualTime time = VirtualTime.startingAt(NOW);
        RestSource source = source(fast.withScheduler(time).withClock(time)
                .withMaxRetryAfter(Duration.ofSeconds(60)));

        source.start();

        // start, then after 429 (7 s), after 503 (90 s capped to 60 s), after 500 (the interval: Retry-After ignored)
        List<Duration> delays = new ArrayList<>();
        delays.add(time.nextDelay().orElseThrow());
        time.runUntilIdle();
        assertThat(nextError()).hasMessageContaining("HTTP 429").hasMessageContaining("Retry-After PT7S");
        delays.add(nextPlanned(time));
        time.advance(delays.get(1));
        assertThat(nextError()).hasMessageContaining("HTTP 503").hasMessageContaining("Retry-After PT1M");
        delays.add(nextPlanned(time));
        time.advance(delays.get(2));
        assertThat(nextError()).hasMessageContaining("HTTP 500").hasMessageNotContaining("Retry-After");
        delays.add(nextPlanned(time));
        time.advance(delays.get(3));
        nextData();
        source.stop();
        assertThat(delays.get(0)).isZero();
        assertThat(delays.get(1)).isEqualTo(Duration.ofSeconds(7));
        assertThat(delays.get(2)).isEqualTo(Duration.ofSeconds(60));
        assertThat(delays.get(3)).isLessThanOrEqualTo(Duration.ofSeconds(60).plusMillis(20));
        assertThat(delays.get(3)).isLessThan(Duration.ofSeconds(61));
    }

    @Test
    void poll_retryAfter_isWaitedForOnTheWire() throws Exception {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        AtomicInteger count = new AtomicInteger();
        server.otherwise(n -> {
            arrivals.add(System.nanoTime());
            return count.incrementAndGet() == 1 ? HttpReply.retryAfter(429, "120") : HttpReply.json("{}");
        });
        source(fast.withMaxRetryAfter(Duration.ofMillis(300))).start();

        nextError();
        nextData();
        assertThat(Duration.ofNanos(arrivals.get(1) - arrivals.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    // ---- conditional requests -------------------------------------------------------------------------------

    @Test
    void buildRequest_sameValidators_reusesOneRequest_newValidators_buildAnother() throws Exception {
        server.reply(HttpReply.json("{\"n\":1}"), HttpReply.json("{\"n\":2}"),
                HttpReply.of(new MockResponse.Builder().code(200).addHeader("ETag", "\"v1\"").body("{\"n\":3}").build()),
                HttpReply.of(new MockResponse.Builder().code(200).addHeader("ETag", "\"v1\"").body("{\"n\":4}").build()),
                HttpReply.of(new MockResponse.Builder().code(200).addHeader("ETag", "\"v2\"").body("{\"n\":5}").build()),
                HttpReply.json("{\"n\":6}"));
        List<Request> built = new CopyOnWriteArrayList<>();
        RestSource source = new RestSource("rest", handler, server.url("/quote").toString(),
                fast.withHeader("X-Api-Key", "k1")) {
            @Override
            protected Request buildRequest() {
                Request request = super.buildRequest();
                built.add(request);
                return request;
            }
        };
        source.on(RestSource.DATA, data::add);
        sources.add(source);

        source.start();
        for (int n = 1; n <= 6; n++) {
            assertThat(nextData().body().get("n").asInt()).isEqualTo(n);
        }
        source.stop();

        // request i is built before response i arrives: 1-3 carry no validator, 4-5 "v1", 6 "v2"
        assertThat(built.get(1)).isSameAs(built.get(0));
        assertThat(built.get(2)).isSameAs(built.get(0));
        assertThat(built.get(3)).isNotSameAs(built.get(0));
        assertThat(built.get(4)).isSameAs(built.get(3));
        assertThat(built.get(5)).isNotSameAs(built.get(3));
        assertThat(built.get(0).header("If-None-Match")).isNull();
        assertThat(built.get(3).header("If-None-Match")).isEqualTo("\"v1\"");
        assertThat(built.get(5).header("If-None-Match")).isEqualTo("\"v2\"");
        for (Request request : built.subList(0, 6)) {
            assertThat(request.header("X-Api-Key")).isEqualTo("k1");
            assertThat(request.header("Accept")).isEqualTo("application/json");
        }
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sent.add(server.awaitRequest(i + 1, WAIT).getHeaders().get("If-None-Match"));
        }
        assertThat(sent).containsExactly(null, null, null, "\"v1\"", "\"v1\"", "\"v2\"");
    }

    @Test
    void poll_etagAndLastModified_sentBack_304EmitsNothingAndResetsCount() throws Exception {
        String modified = "Sat, 21 Nov 2026 10:00:00 GMT";
        server.reply(HttpReply.of(new MockResponse.Builder().code(200).addHeader("ETag", "\"v1\"")
                .addHeader("Last-Modified", modified).body("{\"n\":1}").build()));
        server.reply(HttpReply.status(500), HttpReply.notModified(), HttpReply.status(500),
                HttpReply.jsonWithEtag("{\"n\":2}", "\"v2\""), HttpReply.notModified());
        // threshold 2: the 304 between the two 500s must reset the count
        RestSource source = source(fast.withExceptionThreshold(2));

        CompletableFuture<Void> future = source.start();

        assertThat(nextData().body().get("n").asInt()).isEqualTo(1);
        assertThat(nextData().body().get("n").asInt()).isEqualTo(2);
        List<RecordedRequest> requests = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            requests.add(server.awaitRequest(i, WAIT));
        }
        source.stop();
        assertThat(requests.get(0).getHeaders().get("If-None-Match")).isNull();
        for (int i = 1; i <= 4; i++) {
            assertThat(requests.get(i).getHeaders().get("If-None-Match")).isEqualTo("\"v1\"");
            assertThat(requests.get(i).getHeaders().get("If-Modified-Since")).isEqualTo(modified);
        }
        assertThat(requests.get(5).getHeaders().get("If-None-Match")).isEqualTo("\"v2\"");
        assertThat(requests.get(5).getHeaders().get("If-Modified-Since")).isNull();
        assertThat(data).isEmpty();
        assertThat(errors).hasSize(2);
        assertThat(future).succeedsWithin(WAIT); // at once, or once a poll being handled at stop() has ended
    }

    // ---- scheduling -----------------------------------------------------------------------------------------

    @Test
    void poll_slowServer_neverOverlaps_andNextPollFollowsAtOnce() throws Exception {
        AtomicInteger active = new AtomicInteger();
        AtomicInteger maxActive = new AtomicInteger();
        CountDownLatch firstArrived = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch secondArrived = new CountDownLatch(1);
        AtomicInteger count = new AtomicInteger();
        server.otherwise(request -> {
            maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
            try {
                int n = count.incrementAndGet();
                if (n == 1) {
                    firstArrived.countDown();
                    awaitQuietly(releaseFirst);
                } else if (n == 2) {
                    secondArrived.countDown();
                }
                return HttpReply.json("{\"n\":" + n + "}");
            } finally {
                active.decrementAndGet();
            }
        });
        RestSource source = source(fast.withRequestInterval(Duration.ofMillis(20)));

        source.start();
        assertThat(firstArrived.await(5, SECONDS)).isTrue();
        // ten intervals pass while the first response is held: no second request may start
        assertThat(secondArrived.await(200, MILLISECONDS)).isFalse();
        releaseFirst.countDown();

        assertThat(nextData().body().get("n").asInt()).isEqualTo(1);
        assertThat(secondArrived.await(5, SECONDS)).isTrue();
        assertThat(nextData().body().get("n").asInt()).isEqualTo(2);
        assertThat(nextData().body().get("n").asInt()).isEqualTo(3);
        source.stop();
        assertThat(maxActive.get()).isEqualTo(1);
    }

    @Test
    void poll_fixedRate_responseTimeIsSubtractedFromTheWait() throws Exception {
        server.replyTimes(4, HttpReply.delayed(Duration.ofMillis(40), "{}"));
        // Real time, clock and scheduler both: the responses' 40 ms must count, and each poll must start when planned.
        DelayRecordingScheduler scheduler = new DelayRecordingScheduler();
        RestSource source = source(fast.withScheduler(scheduler).withRequestInterval(Duration.ofMillis(100)));
        List<Duration> waits;
        try {
            source.start();
            for (int i = 0; i < 4; i++) {
                nextData();
            }
            source.stop();
            waits = scheduler.delays.subList(1, 4);
        } finally {
            scheduler.shutdownNow();
            assertThat(scheduler.awaitTermination(5, SECONDS)).isTrue();
        }

        // each response took at least 40 ms, so each wait is at most 60 ms: the plan is start + k * interval
        assertThat(waits).allSatisfy(wait -> assertThat(wait).isBetween(Duration.ZERO, Duration.ofMillis(60)));
    }

    // ---- stop -----------------------------------------------------------------------------------------------

    @Test
    void stop_midRequest_cancelsCall_completesNormally_andEmitsNothing() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server.otherwise(request -> {
            arrived.countDown();
            awaitQuietly(release);
            return HttpReply.json("{}");
        });
        CountDownLatch canceled = new CountDownLatch(1);
        OkHttpClient client = new OkHttpClient.Builder().eventListener(new EventListener() {
            @Override
            public void canceled(Call call) {
                canceled.countDown();
            }
        }).build();
        VirtualTime scheduler = VirtualTime.create();
        RestSource source = source(fast.withClient(client).withScheduler(scheduler));

        CompletableFuture<Void> future = source.start();
        assertThat(scheduler.runUntilIdle()).isOne();
        assertThat(arrived.await(5, SECONDS)).isTrue();
        source.stop();

        assertThat(future).isCompleted().isNotCompletedExceptionally();
        assertThat(canceled.await(5, SECONDS)).isTrue();
        release.countDown();
        assertThat(scheduler.pending()).isZero();
        // the canceled call's failure and any late response are not emitted, and no further poll is made
        assertThat(errors.poll(200, MILLISECONDS)).isNull();
        assertThat(data).isEmpty();
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(scheduler.pending()).isZero();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    @Test
    void start_twice_throws() {
        server.reply(HttpReply.json("{}"));
        RestSource source = source(fast);
        source.start();
        assertThatThrownBy(source::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
    }

    // ---- secrets --------------------------------------------------------------------------------------------

    @Test
    void errors_neverContainApiKeyHeaderOrQuerySecret() throws Exception {
        String headerSecret = "hdr-5ecret-value";
        String querySecret = "qry-5ecret-value";
        server.reply(HttpReply.status(401));
        server.reply(HttpReply.json("{\"broken\": "));
        server.reply(HttpReply.retryAfter(429, "0"));
        server.reply(HttpReply.json("[" + "1,".repeat(300) + "1]"));
        server.reply(HttpReply.of(new MockResponse.Builder().code(200).body("{\"values\":[" + "1,".repeat(5000) + "1]}")
                .onResponseBody(new SocketEffect.CloseSocket()).build()));
        Options options = fast.withHeader("X-Api-Key", headerSecret).withHeader("Authorization", "Bearer " + headerSecret)
                .withMaxBodyBytes(500).withExceptionThreshold(5);
        RestSource source = source(server.url("/q?symbol=AAPL&apikey=" + querySecret), options);

        CompletableFuture<Void> future = source.start();

        assertThatThrownBy(() -> future.get(5, SECONDS)).cause().isInstanceOf(FailureThresholdException.class);
        assertThat(server.awaitRequest(1, WAIT).getHeaders().get("X-Api-Key")).isEqualTo(headerSecret);
        List<Throwable> all = new ArrayList<>(errors);
        all.add(future.handle((v, t) -> t).get());
        assertThat(all).hasSize(6);
        for (Throwable error : all) {
            for (Throwable t = error; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(headerSecret, querySecret);
                assertThat(t.toString()).doesNotContain(headerSecret, querySecret);
            }
        }
        assertThat(source.redactedUrl()).contains("apikey=REDACTED").contains("symbol=AAPL");
        assertThat(options.toString()).contains("X-Api-Key").doesNotContain(headerSecret);
    }

    // ---- options --------------------------------------------------------------------------------------------

    @Test
    void options_rejectBadValues_withTheValue() {
        assertThatThrownBy(() -> Options.defaults().withRequestInterval(Duration.ZERO))
                .hasMessageContaining("requestInterval must be positive: PT0S");
        assertThatThrownBy(() -> Options.defaults().withExceptionThreshold(0)).hasMessageContaining("0");
        assertThatThrownBy(() -> Options.defaults().withMaxBodyBytes(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> new RestSource("r", handler, "ftp://x?token=abc", Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("abc");
        assertThatThrownBy(() -> Options.defaults().withHeader("X-Api-Key", "s3cret\nvalue"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X-Api-Key")
                .hasMessageNotContaining("s3cret");
        Options options = Options.defaults();
        assertThat(options.withRequestInterval(Duration.ofSeconds(1)).requestInterval()).hasSeconds(1);
        assertThat(options.requestInterval()).hasSeconds(30);
        assertThat(options.callTimeout()).hasSeconds(30);
        assertThat(options.exceptionThreshold()).isEqualTo(10);
        assertThat(options.maxBodyBytes()).isEqualTo(10L * 1024 * 1024);
    }
}
