package io.pipeline.core;

/**
 * The context core's {@link System.Logger} messages start with, so that a log line names where it comes from:
 * {@code [flow=prices manager=yahoo_apple processor=yahoo_apple.source] …}. Parts that are unknown are left out. The
 * same three names are what the connectors put in SLF4J's MDC ({@code pipeline.flow}, {@code pipeline.manager},
 * {@code pipeline.processor}). Stateless.
 */
final class LogContext {
    private LogContext() {}

    /** {@code [flow=… manager=… processor=…] }, each part only when non-null; empty when all are null. */
    static String of(String flow, String manager, String processor) {
        StringBuilder context = new StringBuilder();
        append(context, "flow", flow);
        append(context, "manager", manager);
        append(context, "processor", processor);
        return context.length() == 0 ? "" : "[" + context + "] ";
    }

    private static void append(StringBuilder context, String key, String value) {
        if (value == null) {
            return;
        }
        if (context.length() > 0) {
            context.append(' ');
        }
        context.append(key).append('=').append(value);
    }

    /** The processor a failure names: that of the first {@link ListenerException} in its cause chain, or null. */
    static String processorOf(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ListenerException listener) {
                return listener.processor();
            }
            if (cause instanceof SourceStalledException stalled) {
                return stalled.stall().source();
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }
}
