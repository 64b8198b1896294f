package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.RestartPolicy;
import io.pipeline.core.Source;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.testing.RecordingErrorReporter;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connectors keep {@link Source}'s stop contract under a {@link SyncDispatcher}, where listeners run on the
 * connector's own thread: a flow closed while a delivery is in a listener closes its {@code closeOnStop} resource only
 * after the listener returned, and nothing is delivered after the close.
 */
class ConnectorStopContractTest {
    private final MockWebServer server = new MockWebServer();
    private final CountDownLatch releaseStreams = new CountDownLatch(1);

    @BeforeEach
    void startServer() throws IOException {
        server.start();
    }

    @AfterEach
    void stopServer() {
        releaseStreams.countDown();
        server.close();
    }

    @Test
    void restSource_flowCloseWhileAPollIsInAListenerOnTheOkHttpThread_closesTheResourceOnlyAfterIt() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().setHeader("Content-Type", "application/json").body("{\"n\":1}")
                        .build();
            }
        });
        assertClosesAfterTheDelivery((name, handler) -> new RestSource(name, handler, server.url("/poll").toString(),
                RestSource.Options.defaults().withRequestInterval(Duration.ofMillis(20))), RestSource.DATA);
    }

    @Test
    void sseSource_flowCloseWhileAnEventIsInAListenerOnTheReadingThread_closesTheResourceOnlyAfterIt()
            throws Exception {
        server.enqueue(hangingStream("data: a\n\ndata: b\n\n"));
        assertClosesAfterTheDelivery((name, handler) -> new SseSource(name, handler, server.url("/events").toString(),
                SseSource.Options.defaults()), SseSource.MESSAGE);
    }

    @Test
    void webSocketSource_flowCloseWhileAMessageIsInAListenerOnTheDeliveryThread_closesTheResourceOnlyAfterIt()
            throws Exception {
        server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, okhttp3.Response response) {
                webSocket.send("{\"n\":1}");
                webSocket.send("{\"n\":2}");
            }

            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                webSocket.close(code, null);
            }
        }).build());
        String url = server.url("/feed").toString().replaceFirst("^http", "ws");
        assertClosesAfterTheDelivery((name, handler) -> new WebSocketSource(name, handler, url,
                WebSocketSource.Options.defaults()), WebSocketSource.MESSAGE);
    }

    /**
     * A flow on a {@link SyncDispatcher} with one connector: its first delivery blocks in a listener (on the
     * connector's thread) while another thread closes the flow. The close must wait; the resource must close after
     * the listener wrote; nothing may be delivered afterwards.
     */
    private <T> void assertClosesAfterTheDelivery(BiFunction<String, MessageHandler, Source> kind, Event<T> event)
            throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean resourceClosed = new AtomicBoolean();
        AtomicReference<Thread> deliveredOn = new AtomicReference<>();
        List<String> events = new CopyOnWriteArrayList<>();
        Flow flow = Flow.builder().handler(new SyncDispatcher()).restartPolicy(RestartPolicy.never())
                .errorReporter(new RecordingErrorReporter())
                .manager(handler -> new Manager("connector", handler) {
                    {
                        Source source = kind.apply(processorName("source"), handler);
                        closeOnStop(() -> {
                            resourceClosed.set(true);
                            events.add("closed");
                        });
                        source.on(event, payload -> {
                            if (resourceClosed.get()) {
                                events.add("delivered after close");
                                return;
                            }
                            if (deliveredOn.compareAndSet(null, Thread.currentThread())) {
                                entered.countDown();
                                release.await(10, TimeUnit.SECONDS);
                                events.add(resourceClosed.get() ? "write after close" : "write");
                            }
                        });
                        setSource(source);
                    }
                }).build();
        flow.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Thread closer = new Thread(() -> {
            flow.close();
            closed.complete(null);
        }, "test-closer");
        closer.setDaemon(true);
        closer.start();
        awaitWaiting(closer);
        assertThat(closed).as("close waits for the delivery in the listener").isNotDone();

        release.countDown();
        closed.get(10, TimeUnit.SECONDS);

        assertThat(events).containsExactly("write", "closed");
        assertThat(deliveredOn.get()).isNotSameAs(Thread.currentThread()).isNotSameAs(closer);
    }

    /** Waits (bounded) until {@code thread} waits or is blocked. */
    private static void awaitWaiting(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Thread.State state = thread.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || state == Thread.State.BLOCKED || state == Thread.State.TERMINATED) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError(thread + " neither waited nor ended within 10 s");
    }

    /** An event stream that sends {@code events} and then stays open until the test ends. */
    private MockResponse hangingStream(String events) {
        return new MockResponse.Builder()
                .setHeader("Content-Type", "text/event-stream")
                .body(new MockResponseBody() {
                    @Override
                    public long getContentLength() {
                        return -1;
                    }

                    @Override
                    public void writeTo(BufferedSink sink) throws IOException {
                        sink.writeUtf8(events).flush();
                        try {
                            releaseStreams.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                })
                .build();
    }
}
