package io.pipeline.sources.output;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire format of {@link SseOutput} and its replay buffer. A frame is one whole Server-Sent Event (or comment),
 * encoded once and written as is to every client.
 *
 * <p>Not thread-safe: {@link SseOutput} guards the replay buffer with its lock.
 */
final class SseFrames {
    /** A comment line sent when a stream opens, so that clients see the connection as open at once. */
    static final Frame OPENED = comment("connected");
    /** A comment line that keeps proxies from closing an idle stream. */
    static final Frame HEARTBEAT = comment("heartbeat");
    /** Not written: tells a client's writer to end the stream gracefully. */
    static final Frame END = new Frame(-1, new byte[0]);

    private final ArrayDeque<Frame> replay = new ArrayDeque<>();
    private final int capacity;

    SseFrames(int capacity) {
        this.capacity = capacity;
    }

    /** One encoded event with its id, or a comment ({@code id} -1). */
    record Frame(long id, byte[] bytes) {}

    /**
     * Encodes an event: {@code id}, {@code event} unless it is the default type, one {@code data} line per line of
     * {@code json} — one, unless the mapper indents or a raw value spans lines; a client joins them with
     * {@code \n} again, so it receives the JSON exactly as written.
     */
    static Frame event(long id, String type, String json) {
        StringBuilder text = new StringBuilder(json.length() + type.length() + 32);
        text.append("id: ").append(id).append('\n');
        if (!SseOutput.DEFAULT_TYPE.equals(type)) {
            text.append("event: ").append(type).append('\n');
        }
        text.append("data: ");
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < json.length() && json.charAt(i + 1) == '\n') {
                    i++;
                }
                text.append("\ndata: ");
            } else {
                text.append(c);
            }
        }
        text.append("\n\n");
        return new Frame(id, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A {@code retry:} field: how long a browser waits before it reconnects. */
    static Frame retry(long millis) {
        return new Frame(-1, ("retry: " + millis + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private static Frame comment(String text) {
        return new Frame(-1, (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Keeps {@code frame} for replay, forgetting the oldest beyond the capacity. */
    void remember(Frame frame) {
        if (capacity == 0) {
            return;
        }
        if (replay.size() == capacity) {
            replay.removeFirst();
        }
        replay.addLast(frame);
    }

    /**
     * The frames a client that last saw {@code lastEventId} has missed. No id: none (a new client gets live
     * events only). An id within the buffer (or just before its oldest frame): the frames after it. An id that
     * is not a number, older than the buffer, or newer than any event sent (from an earlier run of the server):
     * the whole buffer, the best that can be done.
     */
    List<Frame> after(String lastEventId) {
        if (lastEventId == null || replay.isEmpty()) {
            return List.of();
        }
        long last;
        try {
            last = Long.parseLong(lastEventId.trim());
        } catch (NumberFormatException e) {
            return new ArrayList<>(replay);
        }
        long oldest = replay.getFirst().id();
        long newest = replay.getLast().id();
        if (last < oldest - 1 || last > newest) {
            return new ArrayList<>(replay);
        }
        List<Frame> missed = new ArrayList<>();
        for (Frame frame : replay) {
            if (frame.id() > last) {
                missed.add(frame);
            }
        }
        return missed;
    }
}
