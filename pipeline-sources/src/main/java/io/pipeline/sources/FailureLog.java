package io.pipeline.sources;

import io.pipeline.core.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * How the sources log the network failures they expect and recover from: one line at WARN saying what failed,
 * where (the redacted URL is in the failure's message) and the count against the threshold; the stack trace
 * only at DEBUG. Expected failures are frequent (a flapping server fails every poll), so a trace per failure
 * would drown the log.
 *
 * <p>While a source handles a failure or a connect it opens a {@link #context() context}: SLF4J's MDC then holds
 * {@value #FLOW}, {@value #MANAGER} and {@value #PROCESSOR} (the source's flow, manager and own name, each when
 * known), for its log lines and for whatever a listener of the {@code ERROR} it emits logs on that thread; the
 * previous values are restored when the context closes. Thread-safe.
 */
final class FailureLog {
    /** The MDC key of the flow's name. */
    static final String FLOW = "pipeline.flow";
    /** The MDC key of the manager's name. */
    static final String MANAGER = "pipeline.manager";
    /** The MDC key of the source's (processor's) name. */
    static final String PROCESSOR = "pipeline.processor";

    private final Logger log;
    private final Source owner;
    private final String source;

    /** Logs under {@code type}'s logger for {@code owner}, named {@code Type 'name'} in messages. */
    FailureLog(Class<?> type, Source owner) {
        this.log = LoggerFactory.getLogger(type);
        this.owner = owner;
        this.source = type.getSimpleName() + " '" + owner.name() + "'";
    }

    /** One failure, {@code count} of {@code threshold} in a row; {@code next} says what the source does now. */
    void failure(Throwable failure, int count, int threshold, String next) {
        if (log.isWarnEnabled()) {
            log.warn("{}: {} ({} of {} failures in a row; {})", source, failure.getMessage(), count, threshold, next);
        }
        if (log.isDebugEnabled()) {
            log.debug(source + ": stack trace of failure " + count, failure);
        }
    }

    /** A routine step worth a line at DEBUG only (a connect, a reconnect). */
    void debug(String what, Object detail) {
        log.debug("{}: {} {}", source, what, detail);
    }

    /** Puts the source's names in the MDC until the returned context is closed, on this thread. */
    Context context() {
        return new Context(owner.flowName().orElse(null), owner.managerName().orElse(null), owner.name());
    }

    /** The MDC values of one scope and those they replaced. Not thread-safe: close it on the thread that opened it. */
    static final class Context implements AutoCloseable {
        private final String previousFlow = MDC.get(FLOW);
        private final String previousManager = MDC.get(MANAGER);
        private final String previousProcessor = MDC.get(PROCESSOR);

        private Context(String flow, String manager, String processor) {
            set(FLOW, flow);
            set(MANAGER, manager);
            set(PROCESSOR, processor);
        }

        @Override
        public void close() {
            set(FLOW, previousFlow);
            set(MANAGER, previousManager);
            set(PROCESSOR, previousProcessor);
        }

        private static void set(String key, String value) {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        }
    }
}
