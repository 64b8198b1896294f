package io.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.RecoveredFailure;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.RestSource;
import io.pipeline.sources.RestSource.PollException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real RestSource polling the scripted endpoint, its polls running in virtual time. */
class ScriptedHttpEndpointTest {
    private static final Duration INTERVAL = Duration.ofSeconds(10);

    private final VirtualTime time = VirtualTime.create();
    private final ScriptedHttpEndpoint endpoint = ScriptedHttpEndpoint.start();
    private final SyncDispatcher handler = new SyncDispatcher();
    private RestSource source;
    private EventRecorder<RestSource.Poll> data;
    private EventRecorder<Throwable> errors;

    @AfterEach
    void close() {
        if (source != null) {
            source.stop();
        }
        handler.close();
        endpoint.close();
    }

    private RestSource.Options options() {
        return RestSource.Options.defaults()
                .withRequestInterval(INTERVAL)
                .withReadTimeout(Duration.ofSeconds(5))
                .withClient(endpoint.client(time))
                .withClock(time)
                .withScheduler(time);
    }

    private CompletableFuture<Void> startSource(String url, RestSource.Options options) {
        source = new RestSource("rest", handler, url, options);
        data = EventRecorder.of(source, RestSource.DATA);
        errors = EventRecorder.of(source, RestSource.ERROR);
        return source.start();
    }

    @Test
    void firstPoll_runsOnTheTestThread_withinRunUntilIdle_stampedWithVirtualTime() {
        endpoint.reply(HttpReply.json("{\"price\":42.5}"));
        startSource(endpoint.url("/quote?symbol=AAPL"), options());

        time.runUntilIdle();

        assertThat(data.values()).singleElement().satisfies(poll -> {
            assertThat(poll.status()).isEqualTo(200);
            assertThat(poll.body().get("price").asDouble()).isEqualTo(42.5);
            assertThat(poll.time()).isEqualTo(VirtualTime.DEFAULT_START);
        });
        assertThat(endpoint.requests()).singleElement()
                .satisfies(request -> assertThat(request.getTarget()).isEqualTo("/quote?symbol=AAPL"));
        assertThat(time.nextDue()).as("the next poll is planned an interval later")
                .hasValueSatisfying(due -> assertThat(Duration.between(VirtualTime.DEFAULT_START, due))
                        .isBetween(INTERVAL.minusSeconds(1), INTERVAL));
    }

    @Test
    void repliesComeInScriptedOrder_eachFailureAnError() throws Exception {
        endpoint.reply(HttpReply.status(500), HttpReply.malformed(), HttpReply.truncated(), HttpReply.refuse(),
                HttpReply.json("{\"ok\":true}"));
        startSource(endpoint.url("/q"), options());

        for (int i = 0; i < 5; i++) {
            time.advanceToNext(); // the poll, its response and the plan of the next poll all run here
        }

        // Each failure is one the source recovers from: a RecoveredFailure around the PollException.
        assertThat(errors.values()).hasSize(4).allSatisfy(e -> assertThat(e).isInstanceOf(RecoveredFailure.class)
                .hasCauseInstanceOf(PollException.class));
        assertThat(errors.values()).extracting(e -> e.getCause().getMessage()).satisfiesExactly(
                m -> assertThat(m).contains("HTTP 500"),
                m -> assertThat(m).contains("not valid JSON"),
                m -> assertThat(m).contains("body truncated"),
                m -> assertThat(m).contains("request failed"));
        assertThat(data.values()).singleElement()
                .satisfies(poll -> assertThat(poll.body().get("ok").asBoolean()).isTrue());
        assertThat(endpoint.requestCount()).isEqualTo(5);
        assertThat(endpoint.scriptLeft()).isZero();
    }

    @Test
    void retryAfter_delaysTheNextPoll_inVirtualTime() {
        endpoint.reply(HttpReply.retryAfter(429, Duration.ofSeconds(90)), HttpReply.json("{}"));
        startSource(endpoint.url("/q"), options());

        time.runUntilIdle();
        assertThat(errors.values()).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("HTTP 429")
                .hasMessageContaining("Retry-After PT1M30S"));

        time.advance(Duration.ofSeconds(89));
        assertThat(endpoint.requestCount()).as("still waiting for Retry-After").isEqualTo(1);
        time.advance(Duration.ofSeconds(1));
        assertThat(endpoint.requestCount()).isEqualTo(2);
        assertThat(data.values()).hasSize(1);
    }

    @Test
    void etag_isSentBack_and304EmitsNothing() {
        endpoint.reply(HttpReply.jsonWithEtag("{\"v\":1}", "\"v1\""), HttpReply.notModified());
        startSource(endpoint.url("/q"), options());

        time.runUntilIdle();
        time.advance(INTERVAL);

        assertThat(data.values()).hasSize(1);
        assertThat(errors.values()).isEmpty();
        assertThat(endpoint.requests().get(1).getHeaders().get("If-None-Match")).isEqualTo("\"v1\"");
    }

    @Test
    void delayedAndStalledReplies_takeWallTime_untilOkHttpTimesOut() {
        endpoint.reply(HttpReply.delayed(Duration.ofMillis(50), "{\"late\":true}"), HttpReply.stall());
        startSource(endpoint.url("/q"), options().withReadTimeout(Duration.ofSeconds(1)));

        time.runUntilIdle();
        assertThat(data.values()).singleElement().satisfies(p -> assertThat(p.body().get("late").asBoolean()).isTrue());
        time.advance(INTERVAL);

        assertThat(errors.values()).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("timed out"));
    }

    @Test
    void refusedUrl_failsAtTheThreshold() {
        String url = ScriptedHttpEndpoint.refusedUrl("/prices");
        CompletableFuture<Void> done = startSource(url, options().withExceptionThreshold(2));

        time.runUntilIdle();
        time.advanceToNext();

        assertThat(done).isCompletedExceptionally();
        assertThat(errors.values()).hasSize(2).allSatisfy(e -> assertThat(e).hasMessageContaining("request failed"));
    }

    @Test
    void requestsBeyondTheScript_getTheFallback_404ByDefault() throws Exception {
        endpoint.otherwise(n -> n % 2 == 0 ? HttpReply.json("{\"n\":" + n + "}") : HttpReply.status(503));
        startSource(endpoint.url("/q"), options());

        time.runUntilIdle();
        time.advance(INTERVAL);

        assertThat(endpoint.awaitRequest(2, Duration.ZERO).getTarget()).isEqualTo("/q");
        assertThat(errors.values()).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("HTTP 503"));
        assertThat(data.values()).singleElement().satisfies(p -> assertThat(p.body().get("n").asInt()).isEqualTo(2));
        assertThatThrownBy(() -> endpoint.awaitRequest(3, Duration.ofMillis(10))).isInstanceOf(AssertionError.class);
    }

    @Test
    void requestsBeyondTheScript_byRequest_getRepliesMadeOfTheRequest() {
        endpoint.reply(HttpReply.json("{\"scripted\":true}"))
                .otherwiseByRequest(request -> request.getUrl().encodedPath().equals("/b")
                        ? HttpReply.json("{\"symbol\":\"" + request.getUrl().queryParameter("s") + "\"}")
                        : HttpReply.status(410));
        startSource(endpoint.url("/b?s=MSFT"), options());

        time.runUntilIdle();
        time.advance(INTERVAL);

        assertThat(data.values()).extracting(poll -> poll.body().toString())
                .containsExactly("{\"scripted\":true}", "{\"symbol\":\"MSFT\"}");
        assertThat(endpoint.requests()).extracting(request -> request.getTarget())
                .containsExactly("/b?s=MSFT", "/b?s=MSFT");
        assertThatThrownBy(() -> endpoint.otherwiseByRequest(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void defaultFallback_isA404NamingTheRequest() {
        startSource(endpoint.url("/q"), options());

        time.runUntilIdle();

        assertThat(errors.values()).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("HTTP 404"));
    }

    @Test
    void client_onVirtualTime_runsADayOfTenSecondPolls_eachOnTheTestThread() {
        endpoint.otherwise(n -> HttpReply.json("{\"n\":" + n + "}"));
        OkHttpClient client = endpoint.client(time);
        Request request = new Request.Builder().url(endpoint.url("/q")).build();
        List<Integer> answers = new ArrayList<>();
        Thread test = Thread.currentThread();
        time.scheduleAtFixedRate(() -> client.newCall(request).enqueue(new Callback() {
            @Override
            public void onResponse(Call call, Response response) throws IOException {
                try (response) {
                    if (Thread.currentThread() == test) {
                        answers.add(Integer.valueOf(response.body().string().replaceAll("\\D", "")));
                    }
                }
            }

            @Override
            public void onFailure(Call call, IOException e) {
                answers.add(-1);
            }
        }), 0, 10, TimeUnit.SECONDS);

        time.advance(Duration.ofHours(24));

        assertThat(answers).hasSize(8641).startsWith(1, 2, 3).endsWith(8640, 8641);
        assertThat(endpoint.requestCount()).isEqualTo(8641);
    }

    @Test
    void replies_rejectBadValues() {
        assertThatThrownBy(() -> HttpReply.status(42)).hasMessageContaining("42");
        assertThatThrownBy(() -> HttpReply.retryAfter(429, Duration.ofSeconds(-1))).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> endpoint.replyTimes(-1, HttpReply.notModified())).hasMessageContaining("-1");
        assertThat(HttpReply.retryAfter(429, Duration.ofMillis(1500)).response().getHeaders().get("Retry-After"))
                .isEqualTo("2");
    }
}
