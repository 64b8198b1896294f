package io.pipeline.sources;

import io.pipeline.core.SourceCounter;

/**
 * The counters a streaming source ({@link SseSource}, {@link WebSocketSource}) keeps, obtained from its
 * {@code counter(name)} and so exported in the flow's metrics. Instances are immutable; the counters are
 * thread-safe.
 *
 * @param connects   connections opened (each {@code CONNECTED})
 * @param reconnects connection attempts after a lost connection or a failed attempt
 * @param messages   messages received
 * @param bytes      bytes of the messages received
 */
record StreamCounters(SourceCounter connects, SourceCounter reconnects, SourceCounter messages,
                      SourceCounter bytes) {}
