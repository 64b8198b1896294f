/**
 * The test kit: everything a test needs to run a whole pipeline deterministically, the way this project tests
 * itself. Add {@code pipeline-testing} with {@code <scope>test</scope>}.
 *
 * <ul>
 *   <li><b>Virtual time</b> — {@link io.pipeline.testing.VirtualTime}, one {@link java.time.Clock} and
 *       {@link java.util.concurrent.ScheduledExecutorService} for the flow, the time sources and the connectors,
 *       advanced by the test, running due tasks on the test's thread.</li>
 *   <li><b>Recorders</b> — {@link io.pipeline.testing.EventRecorder} (the payloads of one event),
 *       {@link io.pipeline.testing.EventLog} (the order of several events),
 *       {@link io.pipeline.testing.RecordingErrorReporter} (a flow's error reports) and
 *       {@link io.pipeline.testing.StatusRecorder} (how a flow's status changes).</li>
 *   <li><b>Scripted inputs</b> — {@link io.pipeline.testing.ScriptedSource} (payloads on demand or per tick), and
 *       loopback fakes of the network sources' servers, built on OkHttp's {@code mockwebserver3}:
 *       {@link io.pipeline.testing.ScriptedHttpEndpoint} with {@link io.pipeline.testing.HttpReply} for
 *       {@code RestSource}, {@link io.pipeline.testing.ScriptedSseServer} with
 *       {@link io.pipeline.testing.SseStream} for {@code SseSource}, and
 *       {@link io.pipeline.testing.ScriptedWebSocketPeer} with {@link io.pipeline.testing.WebSocketScript} for
 *       {@code WebSocketSource}.</li>
 *   <li><b>Leak checks</b> — {@link io.pipeline.testing.ThreadLeaks}: no thread outlives what the test closed.</li>
 * </ul>
 *
 * <p>Waits are bounded and fail with an {@link java.lang.AssertionError} that says what was expected and what
 * arrived, so a test never hangs and never passes by not checking.
 */
package io.pipeline.testing;
