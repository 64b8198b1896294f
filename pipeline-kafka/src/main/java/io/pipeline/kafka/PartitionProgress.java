package io.pipeline.kafka;

import java.util.ArrayDeque;

/**
 * The records of one assigned partition that were emitted and are not all handled yet, in offset order, and the
 * offset that may be committed: the lowest offset not handled yet. Records are handled out of order (async
 * listeners finish when they finish), but the committable offset only moves past a record once it and every
 * record before it are handled, so a crash never skips one.
 *
 * <p>Not thread-safe: owned by the source's poll thread, which applies completions handed over by other threads.
 */
final class PartitionProgress {
    /** One emitted record; {@code done} once every listener handled it. */
    static final class Pending {
        final long offset;
        boolean done;

        Pending(long offset) {
            this.offset = offset;
        }
    }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private int unfinished;
    /** The next offset to commit (every record below it handled), or -1 before the first record is handled. */
    private long committable = -1;
    /** The offset last committed successfully, or -1. */
    private long committed = -1;

    /**
     * Records that the record at {@code offset} was emitted.
     *
     * @throws IllegalArgumentException if {@code offset} is not above every offset emitted before
     */
    Pending emitted(long offset) {
        Pending last = pending.peekLast();
        long floor = last != null ? last.offset : committable - 1;
        if (offset <= floor) {
            throw new IllegalArgumentException("offset " + offset + " not above " + floor);
        }
        Pending entry = new Pending(offset);
        pending.addLast(entry);
        unfinished++;
        return entry;
    }

    /** Records that {@code entry} was handled, and moves the committable offset past every handled record at the head. */
    void handled(Pending entry) {
        if (entry.done) {
            return;
        }
        entry.done = true;
        unfinished--;
        while (!pending.isEmpty() && pending.peekFirst().done) {
            committable = pending.pollFirst().offset + 1;
        }
    }

    /** Emitted records not handled yet. */
    int unfinished() {
        return unfinished;
    }

    /** The offset to commit now, or -1 when there is nothing new to commit. */
    long toCommit() {
        return committable > committed ? committable : -1;
    }

    /** The next offset that may be committed (every record below it handled), or -1 if none was handled. */
    long committable() {
        return committable;
    }

    /** Records that {@code offset} was committed. */
    void committed(long offset) {
        committed = Math.max(committed, offset);
    }
}
