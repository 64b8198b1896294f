/**
 * The live environmental dashboard, as a runnable program: per location, one
 * {@link io.pipeline.examples.env.OpenMeteoManager} polls Open-Meteo's current weather and air quality with two
 * {@link io.pipeline.sources.RestSource}s (fan-in; or, offline, the embedded
 * {@link io.pipeline.examples.env.WeatherSimulator}); {@link io.pipeline.examples.env.HandleCurrent} reads
 * {@link io.pipeline.examples.env.Reading}s into one chain of {@code pipeline-operators}
 * ({@link io.pipeline.examples.env.Analytics}: dedup, rolling statistics, trend, anomalies, threshold and staleness
 * alerts); the readings go to the history file ({@link io.pipeline.sources.output.JsonLinesOutput}), the results
 * reach the console, the in-memory
 * {@link io.pipeline.examples.env.History} behind the page's JSON endpoints, and browsers through an
 * {@link io.pipeline.sources.output.SseOutput}. {@link io.pipeline.examples.env.EnvMonitor} is the command line.
 *
 * <pre>
 * java -jar pipeline-examples/target/env-monitor.jar            # then open http://127.0.0.1:8080/
 * </pre>
 */
package io.pipeline.examples.env;
