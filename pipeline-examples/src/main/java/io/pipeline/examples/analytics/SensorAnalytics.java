package io.pipeline.examples.analytics;

import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Flow;
import io.pipeline.core.RestartPolicy;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Live analytics on Open-Meteo's current temperature in Berlin: {@code java ... SensorAnalytics [url] [out.jsonl]}.
 * Runs until Ctrl-C.
 */
public final class SensorAnalytics {
    static final String BERLIN = "https://api.open-meteo.com/v1/forecast?latitude=52.52&longitude=13.41"
            + "&current=temperature_2m&timezone=UTC";

    private SensorAnalytics() {
    }

    public static void main(String[] args) {
        String url = args.length > 0 ? args[0] : BERLIN;
        Path out = Path.of(args.length > 1 ? args[1] : "berlin.jsonl");
        try (Flow flow = Flow.builder()
                .handler(new AsyncDispatcher())
                .manager(handler -> new SensorManager(handler, "berlin", url, Duration.ofSeconds(60), out))
                .restartPolicy(RestartPolicy.backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)))
                .build()) {
            Runtime.getRuntime().addShutdownHook(new Thread(flow::close));
            flow.run();
        }
    }
}
