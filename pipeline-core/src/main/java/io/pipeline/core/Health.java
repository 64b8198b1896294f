package io.pipeline.core;

import java.util.List;
import java.util.Objects;

/**
 * A health check of a {@link Flow}: a {@link HealthStatus}, a human-readable account of why, and the snapshot of
 * every manager it was judged from.
 *
 * <pre>{@code
 * Health health = flow.health();
 * if (health.status() != HealthStatus.UP) {
 *     log.warn("pipeline {}: {}", health.status(), health.details());
 * }
 * }</pre>
 *
 * <p>Instances are immutable and safe for concurrent use.
 *
 * @param status   UP, DEGRADED or DOWN
 * @param details  why, in one or a few sentences: the managers that are not running, and what failed
 * @param managers the state of each manager, in the order they were added to the flow's builder
 */
public record Health(HealthStatus status, String details, List<ManagerStatus> managers) {
    /** Validates and copies the components. */
    public Health {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(details, "details");
        managers = List.copyOf(managers);
    }

    /** Whether the flow serves: anything but {@link HealthStatus#DOWN}. */
    public boolean isServing() {
        return status != HealthStatus.DOWN;
    }
}
