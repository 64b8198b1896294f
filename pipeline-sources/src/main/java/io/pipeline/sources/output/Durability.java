package io.pipeline.sources.output;

import java.time.Duration;
import java.util.Objects;

/**
 * When an output hands the rows it was given to the operating system: after every row, as soon as its writer is
 * free (group commit, the default), or in batches. In every mode {@code close()} and {@code flush()} hand over
 * everything written before they return, and no mode calls {@code fsync}: a row handed to the operating system
 * survives the process being killed, not the machine losing power.
 *
 * <ul>
 *   <li>{@link #everyRow()} — strict: {@code write} returns after its row has been written to the file, one
 *       {@code write(2)} per row. The slowest mode; nothing is ever held in this process.
 *   <li>{@link #groupCommit()} — the default: {@code write} copies the row into the output's buffer and, unless
 *       a flush is already under way, asks the output's writer thread to write the buffer. When the pipeline is
 *       idle a row is therefore on its way to the operating system by the time {@code write} returns and in the
 *       file microseconds later. Under load, the rows that arrive while a write is under way go out together in
 *       the next, and while a burst lasts the writer gathers rows for 0.2 ms between writes: a burst costs one
 *       write per 0.2 ms, not one per row, and a row waits at most that long. Rows held at any moment are bounded
 *       (64 KiB; past that {@code write} writes the buffer itself, which slows the producer to the disk's pace).
 *   <li>{@link #batched(int, Duration)} — rows are held until {@code maxRows} of them (or 64 KiB) are buffered,
 *       or {@code maxDelay} after the first of them, whichever comes first. Fewest writes; a crash loses what is
 *       held, at most {@code maxDelay} of rows.
 * </ul>
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public final class Durability {
    /** The three policies; see the class comment. */
    enum Mode {
        EVERY_ROW, GROUP_COMMIT, BATCHED
    }

    private static final Durability EVERY_ROW = new Durability(Mode.EVERY_ROW, 1, Duration.ZERO);
    private static final Durability GROUP_COMMIT = new Durability(Mode.GROUP_COMMIT, Integer.MAX_VALUE, Duration.ZERO);

    private final Mode mode;
    private final int maxRows;
    private final Duration maxDelay;

    private Durability(Mode mode, int maxRows, Duration maxDelay) {
        this.mode = mode;
        this.maxRows = maxRows;
        this.maxDelay = maxDelay;
    }

    /** Every row is written to the file before {@code write} returns: one write per row. */
    public static Durability everyRow() {
        return EVERY_ROW;
    }

    /**
     * Rows go to the output's writer thread at once and are written together when they arrive faster than one
     * write takes: per-row durability when idle, few writes under load. The default.
     */
    public static Durability groupCommit() {
        return GROUP_COMMIT;
    }

    /**
     * Rows are written once {@code maxRows} are held, or {@code maxDelay} after the first row held, whichever is
     * first (and on {@code flush()} and {@code close()}). The timed write runs on the output's scheduler
     * ({@link OutputOptions#withScheduler}).
     *
     * @throws IllegalArgumentException if {@code maxRows < 1}, or {@code maxDelay} is not positive or longer than
     *     a day
     */
    public static Durability batched(int maxRows, Duration maxDelay) {
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows < 1: " + maxRows);
        }
        if (maxDelay.isNegative() || maxDelay.isZero() || maxDelay.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("maxDelay not in (0, 1 day]: " + maxDelay);
        }
        return new Durability(Mode.BATCHED, maxRows, maxDelay);
    }

    Mode mode() {
        return mode;
    }

    /** Rows held before they are written: 1 for {@link #everyRow()}, unbounded for group commit. */
    public int maxRows() {
        return maxRows;
    }

    /** How long a batched row may be held; zero for the other modes. */
    public Duration maxDelay() {
        return maxDelay;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Durability d && d.mode == mode && d.maxRows == maxRows && d.maxDelay.equals(maxDelay);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, maxRows, maxDelay);
    }

    @Override
    public String toString() {
        return switch (mode) {
            case EVERY_ROW -> "Durability.everyRow()";
            case GROUP_COMMIT -> "Durability.groupCommit()";
            case BATCHED -> "Durability.batched(" + maxRows + ", " + maxDelay + ")";
        };
    }
}
