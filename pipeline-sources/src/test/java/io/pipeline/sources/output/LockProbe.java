package io.pipeline.sources.output;

import io.pipeline.core.SyncDispatcher;
import java.nio.file.Path;
import java.util.List;

/**
 * The second process of {@link OutputLockTest}: tries to open a {@link CsvOutput} with the columns
 * {@code id,value} on the file named by its argument and append {@link #ROW}. Exits with {@link #WROTE} or
 * {@link #REFUSED}, having printed the refusal's message.
 */
public final class LockProbe {
    static final int WROTE = 0;
    static final int REFUSED = 3;
    static final String ROW = "99,from another process";

    private LockProbe() {}

    public static void main(String[] args) {
        try (SyncDispatcher handler = new SyncDispatcher();
             CsvOutput<String> out = new CsvOutput<>("probe", handler, Path.of(args[0]), List.of("id", "value"),
                     s -> List.of(99, s))) {
            out.write("from another process");
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
            System.exit(REFUSED);
        }
        System.exit(WROTE);
    }
}
