package io.pipeline.sources;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the sources log the network failures they expect and recover from: one line at WARN saying what failed,
 * where (the redacted URL is in the failure's message) and the count against the threshold; the stack trace
 * only at DEBUG. Expected failures are frequent (a flapping server fails every poll), so a trace per failure
 * would drown the log. Thread-safe.
 */
final class FailureLog {
    private final Logger log;
    private final String source;

    /** Logs under {@code type}'s logger for the source named {@code kind 'name'}. */
    FailureLog(Class<?> type, String name) {
        this.log = LoggerFactory.getLogger(type);
        this.source = type.getSimpleName() + " '" + name + "'";
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
}
