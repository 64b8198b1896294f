package io.pipeline.examples;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Function;

/**
 * How a long-running example program runs once it has started: it waits until the program is closed, the JVM is
 * told to stop (SIGINT or SIGTERM), its time is up, or every pipeline has failed for good; then it closes the
 * program and gives the exit code. On a signal, a shutdown hook closes the program — so everything received is
 * written — and halts the JVM with 0 (the JVM would otherwise report the signal, exit code 130 or 143, although the
 * program stopped as asked), or with 1 if closing failed.
 *
 * <p>Runs on the calling thread; the shutdown hook runs on a thread of its own, named {@code <program>-shutdown}.
 */
public final class ProgramRun {
    /** A started program, as its run sees it. Implementations are safe for concurrent use. */
    public interface Program extends AutoCloseable {
        /** Waits until the program is closed or every pipeline has failed for good. */
        void awaitTermination();

        /** Waits up to {@code timeout} for the same; returns whether it came. */
        boolean awaitTermination(Duration timeout);

        /** Whether {@link #close()} has been called. */
        boolean isClosing();

        /** Closes the program: idempotent, and a concurrent caller waits for the first. */
        @Override
        void close();
    }

    private final String name;
    private final PrintStream stdout;
    private final PrintWriter stderr;
    private final Function<Throwable, String> describe;

    /**
     * @param name     the program's name: it starts the messages and names the shutdown hook's thread
     * @param stdout   where the program prints its output, flushed before a halt
     * @param stderr   where the run prints why it failed
     * @param describe how the program describes a failure in one line
     */
    public ProgramRun(String name, PrintStream stdout, PrintWriter stderr, Function<Throwable, String> describe) {
        this.name = name;
        this.stdout = stdout;
        this.stderr = stderr;
        this.describe = describe;
    }

    /**
     * Runs {@code program} to its end, as described above.
     *
     * @param duration      how long to run, or {@code null} for as long as it runs
     * @param handleSignals whether a shutdown hook closes the program and halts the JVM on SIGINT or SIGTERM
     * @param failedForGood what to print when the program ended on its own, every pipeline having failed
     * @return 0 when it was closed, stopped or ran its time; 1 when it ended on its own
     */
    public int run(Program program, Duration duration, boolean handleSignals, String failedForGood) {
        Thread hook = handleSignals ? installShutdownHook(program) : null;
        boolean terminatedOnItsOwn;
        try {
            if (duration == null) {
                program.awaitTermination();
                terminatedOnItsOwn = !program.isClosing() && !Thread.currentThread().isInterrupted();
            } else {
                terminatedOnItsOwn = program.awaitTermination(duration) && !program.isClosing();
            }
        } finally {
            program.close();
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it closes the program and ends the JVM with 0
                }
            }
        }
        if (terminatedOnItsOwn) {
            stderr.println(name + ": " + failedForGood);
            return 1;
        }
        return 0;
    }

    private Thread installShutdownHook(Program program) {
        Thread hook = new Thread(() -> {
            int status = 0;
            try {
                program.close();
            } catch (RuntimeException | Error e) {
                stderr.println(name + ": did not stop cleanly: " + describe.apply(e));
                status = 1;
            } finally {
                stdout.flush();
                stderr.flush();
                Runtime.getRuntime().halt(status);
            }
        }, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }
}
