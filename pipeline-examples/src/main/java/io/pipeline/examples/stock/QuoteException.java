package io.pipeline.examples.stock;

/**
 * A quote response that cannot become a {@link Quote}: an error body, an unknown symbol, a missing or
 * non-numeric price. {@link HandleRawData} emits it as its {@code ERROR} event instead of a row. Its message
 * names the symbol and the offending value; it is not modified after construction.
 */
public final class QuoteException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the symbol and what was wrong. */
    public QuoteException(String message) {
        super(message);
    }
}
