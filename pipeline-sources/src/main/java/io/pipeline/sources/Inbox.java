package io.pipeline.sources;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The hand-over between a {@link WebSocketSource}'s reader thread and its delivery thread: a queue of typed items
 * bounded by the bytes of the messages in it. The reader {@link #offer offers} and blocks only while the messages
 * waiting exceed the bound (back-pressure onto TCP); events that are not messages (opened, lost) are never
 * blocked. The delivery thread {@link #drainOnce takes and runs} one item at a time, in order.
 *
 * <p>{@link #idleSince} tells the heartbeat watchdog that delivery, not the server, is what holds the connection up:
 * items are waiting or being delivered, or the reader is blocked on a full inbox. Thread-safe; the lock is never
 * held while an item runs.
 */
final class Inbox {
    /** One thing to deliver, in order. */
    interface Item {
        /** The bytes this item counts against the bound: a message's size, 0 for other events. */
        long bytes();

        /** Delivers it; runs on the delivery thread. */
        void deliver();
    }

    private final long maxBytes;
    private final java.time.Clock clock;
    private long idleSince; // guarded by this: clock millis when delivery last stopped being busy
    private final ArrayDeque<Item> items = new ArrayDeque<>(); // guarded by this
    private long bytes; // guarded by this
    private int blockedReaders; // guarded by this
    private boolean delivering; // guarded by this
    private boolean closed; // guarded by this

    Inbox(long maxBytes, java.time.Clock clock) {
        this.maxBytes = Checks.positive(maxBytes, "receiveBufferBytes");
        this.clock = clock;
        this.idleSince = clock.millis();
    }

    /**
     * Queues {@code item}, waiting while it is a message and the messages already waiting exceed the bound (at
     * least one message is always admitted).
     *
     * @return false when the inbox is closed; the item is then dropped
     * @throws InterruptedException if interrupted while waiting
     */
    synchronized boolean offer(Item item) throws InterruptedException {
        long size = item.bytes();
        if (size > 0) {
            blockedReaders++;
            try {
                while (!closed && bytes > 0 && bytes + size > maxBytes) {
                    wait();
                }
            } finally {
                blockedReaders--;
                idleSince = clock.millis();
            }
        }
        if (closed) {
            return false;
        }
        items.add(item);
        bytes += size;
        notifyAll();
        return true;
    }

    /**
     * Waits for the next item and delivers it with {@code deliver} (outside the lock).
     *
     * @return false once the inbox is closed
     */
    boolean drainOnce(Consumer<Item> deliver) throws InterruptedException {
        Item item;
        synchronized (this) {
            while (items.isEmpty() && !closed) {
                wait();
            }
            if (closed) {
                return false;
            }
            item = items.poll();
            delivering = true;
        }
        try {
            deliver.accept(item);
        } finally {
            synchronized (this) {
                delivering = false;
                idleSince = clock.millis();
                bytes -= item.bytes();
                notifyAll();
            }
        }
        return true;
    }

    /**
     * Since when delivery has not held the connection up, in clock millis: {@code now} while items wait, one is
     * being delivered or the reader waits; otherwise when the last of that ended.
     */
    synchronized long idleSince(long now) {
        return delivering || !items.isEmpty() || blockedReaders > 0 ? now : idleSince;
    }

    /** Drops what is queued and releases every waiting thread; later offers return false. Idempotent. */
    synchronized void close() {
        closed = true;
        items.clear();
        bytes = 0;
        notifyAll();
    }
}
