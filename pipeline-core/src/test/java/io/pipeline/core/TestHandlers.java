package io.pipeline.core;

/** The message handler a parameterized test names: {@code "sync"} or {@code "async"}. */
public final class TestHandlers {
    private TestHandlers() {}

    /** A new {@link SyncDispatcher} for {@code "sync"}, a new {@link AsyncDispatcher} for {@code "async"}. */
    public static MessageHandler of(String type) {
        return switch (type) {
            case "sync" -> new SyncDispatcher();
            case "async" -> new AsyncDispatcher();
            default -> throw new IllegalArgumentException("handler type must be sync or async: " + type);
        };
    }
}
