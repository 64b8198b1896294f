/**
 * Connectors that feed a pipeline from real services and write its results: polling REST, WebSocket and
 * Server-Sent Events sources, and file outputs.
 *
 * <h2>One rule for subclasses</h2>
 * A connector is a {@code final} class built from small package-private parts, unless users subclass it to fill in
 * a hook. Two do: {@link io.pipeline.sources.RestSource} (override {@code buildRequest()} for a signed or
 * per-poll request, {@code parse(byte[])} for another body format) and {@link io.pipeline.sources.WebSocketSource}
 * ({@code onConnect(WebSocket)} to subscribe after every (re)connect, {@code onText(String)} and
 * {@code parse(String)} for other message formats). In those two, the protected hooks and the stall watchdog's
 * {@code expectedInterval()} and {@code restartWhenStalled()} are the only methods a subclass can override;
 * every other method, inherited ones included, is final, so a subclass cannot break the lifecycle, the counters or
 * the threading the class documents. {@link io.pipeline.sources.SseSource} and the outputs are final.
 *
 * <h2>One style of options</h2>
 * Each source takes an immutable {@code Options} value: {@code Options.defaults().withX(…)} returns a changed copy,
 * validates its argument (the bad value in the message) and never accepts {@code null}; no accessor returns
 * {@code null}. {@code withHeader(name, value)} means the same everywhere: send that header, replacing an earlier
 * value of the same name (case-insensitive). Where a source falls back to a shared default, the accessor says so:
 * {@code RestSource.Options} returns the client, mapper and scheduler in use (the caller's or the shared default),
 * the streaming sources' {@code Options} return the caller's as an {@code Optional} (empty: the source creates its
 * own, per source, and shuts it down with itself).
 */
package io.pipeline.sources;
