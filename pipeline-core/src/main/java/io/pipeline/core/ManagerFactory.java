package io.pipeline.core;

/**
 * Builds a manager — and so a whole freshly wired pipeline — on a handler. A {@link Flow} calls it at start and
 * again for every restart, so it must return a new manager each time. Called on the thread that calls
 * {@link Flow#start()}, then on the flow's supervisor thread. A factory that throws counts as a failed manager.
 */
@FunctionalInterface
public interface ManagerFactory {
    /** Creates a new, wired manager on {@code handler}. */
    Manager create(MessageHandler handler);
}
