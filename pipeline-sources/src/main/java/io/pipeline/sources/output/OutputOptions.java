package io.pipeline.sources.output;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Settings of a {@link CsvOutput} or {@link JsonLinesOutput}: {@code OutputOptions.defaults().with…(…)}.
 *
 * <pre>{@code
 * var strict = OutputOptions.defaults().withDurability(Durability.everyRow());
 * var writer = closeOnStop(new CsvOutput<>(processorName("writer"), handler, file, Quote.class, strict));
 * }</pre>
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public final class OutputOptions {
    private static final OutputOptions DEFAULTS = new OutputOptions(Durability.groupCommit(), null);

    private final Durability durability;
    private final ScheduledExecutorService scheduler;

    private OutputOptions(Durability durability, ScheduledExecutorService scheduler) {
        this.durability = durability;
        this.scheduler = scheduler;
    }

    /** Group commit ({@link Durability#groupCommit()}), on the output's own writer thread. */
    public static OutputOptions defaults() {
        return DEFAULTS;
    }

    /** When rows are handed to the operating system; see {@link Durability}. */
    public OutputOptions withDurability(Durability durability) {
        return new OutputOptions(Objects.requireNonNull(durability, "durability"), scheduler);
    }

    /**
     * Where the output's background writes run (group commit's writes and lingers, a batch's timed write) instead
     * of its own thread: a test passes a scheduler in virtual time. By default an output that needs one (not under
     * {@link Durability#everyRow()}) starts its own thread, {@code pipeline-<output name>-writer}, on its first
     * row, lets it end after 10 s without work, and ends it in {@code close()}. Writes of one output never overlap,
     * whatever the scheduler's threads. The caller owns a scheduler given here (the output does not shut it
     * down); tasks it has not run when the output is closed find nothing left to write.
     */
    public OutputOptions withScheduler(ScheduledExecutorService scheduler) {
        return new OutputOptions(durability, Objects.requireNonNull(scheduler, "scheduler"));
    }

    /** The durability policy. */
    public Durability durability() {
        return durability;
    }

    /**
     * The scheduler given to {@link #withScheduler}, or null: then the output starts its own thread,
     * {@code pipeline-<output name>-writer}, when it first needs it (never under {@link Durability#everyRow()}),
     * lets it end after 10 s without work, and ends it in {@code close()}.
     */
    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public String toString() {
        return "OutputOptions{durability=" + durability + ", scheduler=" + (scheduler == null ? "own thread" : scheduler)
                + "}";
    }
}
