package io.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.SseSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real SseSource against the scripted server, its reconnects planned in virtual time. */
class ScriptedSseServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final VirtualTime time = VirtualTime.create();
    private final ScriptedSseServer server = ScriptedSseServer.start();
    private final SyncDispatcher handler = new SyncDispatcher();
    private final EventLog log = new EventLog();
    private SseSource source;

    @AfterEach
    void close() throws InterruptedException {
        if (source != null) {
            source.stop();
        }
        handler.close();
        server.close();
    }

    private CompletableFuture<Void> start(SseSource.Options options) {
        source = new SseSource("feed", handler, server.url("/events"), options
                .withScheduler(time)
                .withClock(time)
                .withRandom(new java.util.Random(1)));
        log.record(source, SseSource.CONNECTED, url -> "")
                .record(source, SseSource.MESSAGE, m -> m.id() + "/" + m.type() + "/" + m.data())
                .record(source, SseSource.DISCONNECTED, reason -> reason.replaceAll(":.*", ""))
                .record(source, Processor.ERROR, Throwable::getMessage);
        return source.start();
    }

    @Test
    void events_thenEnd_thenReconnectAfterTheServersRetry_withLastEventId() throws Exception {
        server.stream().event("41", "tick", "a").event("42", null, "b\nc").retry(Duration.ofSeconds(3)).end();
        server.stream().data("resumed");
        start(SseSource.Options.defaults().withReconnectBackoff(Duration.ofMinutes(1), Duration.ofMinutes(5)));

        List<String> first = log.await(5, WAIT);
        assertThat(first.subList(0, 3)).containsExactly("connected ", "message 41/tick/a", "message 42/message/b\nc");
        assertThat(first.get(3)).startsWith("error ").contains("stream ended by server (last event 0 ms ago)"); // the virtual clock stood still
        assertThat(first.get(4)).isEqualTo("disconnected stream ended by server (last event 0 ms ago)");
        time.awaitPending(1, WAIT);
        assertThat(time.nextDue()).contains(VirtualTime.DEFAULT_START.plusSeconds(3));
        time.advance(Duration.ofSeconds(3));

        assertThat(log.await(7, WAIT).subList(5, 7)).containsExactly("connected ", "message 42/message/resumed"); // the last event id carries over
        assertThat(server.awaitConnection(2, WAIT).getHeaders().get("Last-Event-ID")).isEqualTo("42");
    }

    @Test
    void liveEvents_areSentWhileTheClientListens() throws Exception {
        SseStream stream = server.stream();
        start(SseSource.Options.defaults());
        stream.awaitOpen(WAIT);
        log.await(1, WAIT);

        stream.data("one");
        stream.comment("keep-alive");
        stream.data("two");

        assertThat(log.await(3, WAIT)).containsExactly("connected ", "message null/message/one",
                "message null/message/two");
        assertThat(stream.isOpen()).isTrue();
    }

    @Test
    void drop_isAConnectionLoss_andRejectIsAnErrorStatus_bothCounted() throws Exception {
        server.stream().data("x").drop();
        server.reject(503);
        CompletableFuture<Void> done = start(SseSource.Options.defaults().withExceptionThreshold(2)
                .withReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1)));

        List<String> first = log.await(4, WAIT);
        assertThat(first.subList(0, 2)).containsExactly("connected ", "message null/message/x");
        assertThat(first.get(2)).startsWith("error ").contains("connection lost");
        assertThat(first.get(3)).startsWith("disconnected connection lost");
        time.awaitPending(1, WAIT);
        time.advanceToNext();

        assertThat(log.awaitStartingWith("disconnected HTTP 503", WAIT)).isNotNull();
        assertThat(done).failsWithin(WAIT);
        assertThat(log.entries()).anyMatch(entry -> entry.startsWith("error ") && entry.contains("HTTP 503"));
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void silentStream_beyondTheReadTimeout_isLost() throws Exception {
        server.stream().data("only");
        start(SseSource.Options.defaults().withReadTimeout(Duration.ofSeconds(1)));

        assertThat(log.await(2, WAIT)).endsWith("message null/message/only");
        assertThat(log.awaitStartingWith("disconnected", WAIT)).isEqualTo("disconnected connection lost");
    }

    @Test
    void connectionsBeyondTheScript_get404() throws Exception {
        start(SseSource.Options.defaults());

        assertThat(log.awaitStartingWith("disconnected", WAIT)).startsWith("disconnected HTTP 404");
        assertThatThrownBy(() -> server.reject(42)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("42");
        assertThatThrownBy(() -> server.stream().retry(Duration.ofSeconds(-1))).hasMessageContaining("PT-1S");
    }

    @Test
    void streamWithAContentType_andAReplyOfAnyKind_answerTheirConnections() throws Exception {
        server.reply(HttpReply.of(new mockwebserver3.MockResponse.Builder().code(202)
                .setHeader("Content-Type", "text/event-stream").body("data: must not be seen\n\n").build()));
        server.stream("Text/Event-Stream; charset=utf-8").raw("").raw("data: ok\n\n");
        start(SseSource.Options.defaults().withReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1)));

        assertThat(log.await(2, WAIT).get(0)).startsWith("error ").contains("HTTP 202");
        time.awaitPending(1, WAIT);
        time.advance(Duration.ofSeconds(2));

        assertThat(log.await(4, WAIT).subList(2, 4)).containsExactly("connected ", "message null/message/ok");
        assertThat(server.connectionCount()).isEqualTo(2);
    }
}
