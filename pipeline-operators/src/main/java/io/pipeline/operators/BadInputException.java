package io.pipeline.operators;

/**
 * A payload an operator could not use — a NaN or infinite value, a null key or time, a time out of range. The
 * operator emits it as its {@link io.pipeline.core.Processor#ERROR} event and leaves its state untouched.
 *
 * <p>Instances are immutable.
 */
public final class BadInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String operator;
    private final transient Object key;

    BadInputException(String operator, Object key, String problem) {
        super("operator '" + operator + "', key " + key + ": " + problem);
        this.operator = operator;
        this.key = key;
    }

    /** The name of the operator that refused the payload. */
    public String operator() {
        return operator;
    }

    /** The payload's key, or null when the key itself was missing or the operator is not keyed. */
    public Object key() {
        return key;
    }
}
