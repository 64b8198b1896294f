package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.SyncDispatcher;
import io.pipeline.testing.ScriptedSseServer;
import io.pipeline.testing.SseStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** Many long-lived SSE streams to one host on one caller's client, whose dispatcher allows 5 per host. */
class SseSharedClientTest {
    @Test
    void sharedClient_sevenLongLivedStreamsToOneHost_allDeliver_noneQueuedBehindTheOthers() throws Exception {
        OkHttpClient shared = new OkHttpClient(); // OkHttp's default dispatcher: 5 requests per host
        int count = 7;
        List<SseSource> sources = new ArrayList<>();
        Set<String> heard = ConcurrentHashMap.newKeySet();
        CountDownLatch all = new CountDownLatch(count);
        try (ScriptedSseServer server = ScriptedSseServer.start(); SyncDispatcher handler = new SyncDispatcher()) {
            List<SseStream> streams = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                streams.add(server.stream().data("hello")); // then stays open: a long-lived stream
            }
            try {
                for (int i = 0; i < count; i++) {
                    SseSource source = new SseSource("feed" + i, handler, server.url("/events"),
                            SseSource.Options.defaults().withClient(shared));
                    sources.add(source);
                    String name = source.name();
                    source.on(SseSource.MESSAGE, message -> {
                        if (heard.add(name)) {
                            all.countDown();
                        }
                    });
                    source.start();
                }

                assertThat(all.await(10, TimeUnit.SECONDS)).as("every source heard its stream, heard " + heard)
                        .isTrue();
                assertThat(heard).hasSize(count);
                assertThat(shared.dispatcher().queuedCallsCount()).isZero();
                assertThat(streams).allMatch(SseStream::isOpen);
            } finally {
                for (SseSource source : sources) {
                    source.stop();
                    assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
                }
            }
        } finally {
            shared.dispatcher().executorService().shutdown();
            shared.connectionPool().evictAll();
        }
    }
}
