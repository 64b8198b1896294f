package io.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pipeline.core.Processor;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.sources.WebSocketSource;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import okhttp3.WebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real WebSocketSource against the scripted peer, its watchdog and reconnects in virtual time. */
class ScriptedWebSocketPeerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The reconnect backoff is 1 s, with jitter. */
    private static final Duration RECONNECT_WITH_JITTER = Duration.ofSeconds(2);

    private final VirtualTime time = VirtualTime.create();
    private final ScriptedWebSocketPeer peer = ScriptedWebSocketPeer.start();
    private final SyncDispatcher handler = new SyncDispatcher();
    private final EventLog log = new EventLog();
    private WebSocketSource source;

    @AfterEach
    void close() {
        if (source != null) {
            source.stop();
        }
        handler.close();
        peer.close();
    }

    private WebSocketSource.Options options() {
        return WebSocketSource.Options.defaults()
                .withHeartbeatTimeout(Duration.ofSeconds(30))
                .withReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                .withScheduler(time)
                .withClock(time)
                .withRandom(new Random(7));
    }

    private CompletableFuture<Void> start(WebSocketSource created) {
        source = created;
        log.record(source, WebSocketSource.CONNECTED, url -> "")
                .record(source, WebSocketSource.MESSAGE)
                .record(source, WebSocketSource.DISCONNECTED)
                .record(source, Processor.ERROR, Throwable::getMessage);
        return source.start();
    }

    @Test
    void messagesArriveInOrder_andTheSubscriptionReachesThePeer() throws Exception {
        WebSocketScript first = peer.connection().send("{\"n\":1}").sendBinary("{\"n\":2}");
        start(new WebSocketSource("ticker", handler, peer.url("/feed"), options()) {
            @Override
            protected void onConnect(WebSocket socket) {
                socket.send("{\"subscribe\":\"AAPL\"}");
            }
        });

        assertThat(log.await(3, WAIT)).containsExactly("connected ", "message {\"n\":1}", "message {\"n\":2}");
        assertThat(first.awaitReceived(1, WAIT)).containsExactly("{\"subscribe\":\"AAPL\"}");
        first.send("{\"n\":3}");
        assertThat(log.await(4, WAIT)).last().isEqualTo("message {\"n\":3}");
        assertThat(peer.received()).containsExactly("{\"subscribe\":\"AAPL\"}");
        assertThat(peer.awaitConnection(1, WAIT).getTarget()).isEqualTo("/feed");
    }

    @Test
    void serverClose_disconnects_thenTheSourceReconnectsAfterTheVirtualBackoff() throws Exception {
        peer.connection().send("{\"first\":true}").close(1001, "going away");
        peer.connection().send("{\"second\":true}");
        start(new WebSocketSource("ticker", handler, peer.url("/feed"), options()));

        List<String> first = log.await(4, WAIT);
        assertThat(first.subList(0, 2)).containsExactly("connected ", "message {\"first\":true}");
        assertThat(first.get(2)).startsWith("error ").contains("closed by server: code 1001");
        assertThat(first.get(3)).isEqualTo("disconnected closed by server: code 1001, reason 'going away'");
        time.awaitTaskDueWithin(RECONNECT_WITH_JITTER, WAIT); // the reconnect, not the watchdog 30 s away
        assertThat(peer.connectionCount()).isEqualTo(1);
        time.advanceToNext();

        assertThat(log.await(6, WAIT).subList(4, 6)).containsExactly("connected ", "message {\"second\":true}");
        assertThat(peer.connectionCount()).isEqualTo(2);
    }

    @Test
    void silentPeer_tripsTheHeartbeatWatchdog_inVirtualTime() throws Exception {
        WebSocketScript silent = peer.connection();
        peer.connection().send("{\"alive\":true}");
        start(new WebSocketSource("ticker", handler, peer.url("/feed"), options()));
        assertThat(log.await(1, WAIT)).containsExactly("connected ");
        time.awaitPending(1, WAIT); // the watchdog

        time.advance(Duration.ofSeconds(29));
        assertThat(log.entries()).hasSize(1);
        time.advance(Duration.ofSeconds(1));
        // Silence counts only while delivery is idle: should the delivery of CONNECTED (on the source's delivery
        // thread) still have been finishing when the watchdog looked at 30 s, it looked again one timeout later.
        List<String> lost;
        try {
            lost = log.await(3, Duration.ofSeconds(2));
        } catch (AssertionError deliveryWasStillBusy) {
            time.advance(Duration.ofSeconds(30));
            lost = log.await(3, WAIT);
        }
        assertThat(lost.get(1)).startsWith("error ").contains("no message for 30000 ms");
        assertThat(lost.get(2)).isEqualTo("disconnected no message for 30000 ms (heartbeatTimeout 30000 ms)");
        silent.awaitClosed(WAIT);
        // Past the source's 1 s loss-report grace first: until the reader's report cancels it, that task is also due
        // within the reconnect's span, and advancing to it would leave the reconnect (1 s plus jitter) unrun.
        time.advance(Duration.ofSeconds(1));
        time.awaitTaskDueWithin(RECONNECT_WITH_JITTER, WAIT); // the reconnect
        time.advanceToNext();
        assertThat(log.await(5, WAIT).subList(3, 5)).containsExactly("connected ", "message {\"alive\":true}");
    }

    @Test
    void drop_andRejectedUpgrades_countTowardsTheThreshold() throws Exception {
        peer.connection().drop();
        peer.reject(500);
        CompletableFuture<Void> done = start(new WebSocketSource("ticker", handler, peer.url("/feed"),
                options().withExceptionThreshold(2)));

        assertThat(log.awaitStartingWith("disconnected", WAIT)).startsWith("disconnected connection lost");
        time.awaitTaskDueWithin(RECONNECT_WITH_JITTER, WAIT);
        time.advanceToNext();

        assertThat(done).failsWithin(WAIT);
        assertThat(log.entries()).last().asString().startsWith("disconnected connect failed").contains("500");
        assertThat(peer.connectionCount()).isEqualTo(2);
    }

    @Test
    void connectionsBeyondTheScript_areRefused_andScriptsRejectMisuse() throws Exception {
        start(new WebSocketSource("ticker", handler, peer.url("/feed"), options()));

        assertThat(log.awaitStartingWith("disconnected", WAIT)).contains("404");
        WebSocketScript script = peer.connection();
        script.close(1000, "bye");
        assertThatThrownBy(() -> script.send("late")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already scripted to end");
        assertThatThrownBy(() -> peer.reject(101)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("101");
    }

    @Test
    void awaitClientClose_givesTheClientsCode_answeredOrNot() throws Exception {
        WebSocketScript answered = peer.connection().send("{}");
        WebSocketSource first = new WebSocketSource("first", handler, peer.url("/feed"), options());
        start(first);
        assertThat(log.await(2, WAIT)).containsExactly("connected ", "message {}");
        first.stop();
        assertThat(answered.awaitClientClose(WAIT)).isEqualTo(1000);
        answered.awaitClosed(WAIT);

        WebSocketScript silent = peer.connection().neverAnswerClose().send("{}");
        WebSocketSource second = new WebSocketSource("second", handler, peer.url("/feed"), options()
                .withCloseTimeout(Duration.ofMillis(200)));
        second.on(WebSocketSource.MESSAGE, message -> log.add("second got " + message));
        second.start();
        assertThat(log.awaitStartingWith("second got", WAIT)).isEqualTo("second got {}");
        second.stop();

        assertThat(silent.awaitClientClose(WAIT)).isEqualTo(1000);
    }
}
