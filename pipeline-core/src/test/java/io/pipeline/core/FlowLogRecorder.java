package io.pipeline.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what core logs through the logger {@code io.pipeline.core.Flow} (read through java.util.logging, the
 * platform default) from {@link #attach()} until {@link #close()}. Thread-safe.
 */
public final class FlowLogRecorder implements AutoCloseable {
    private final Logger logger = Logger.getLogger(Flow.class.getName());
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    /** Starts recording. */
    public FlowLogRecorder attach() {
        logger.addHandler(handler);
        return this;
    }

    /** Everything recorded so far, oldest first. */
    public List<LogRecord> records() {
        return records;
    }

    /** Stops recording. Idempotent. */
    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
