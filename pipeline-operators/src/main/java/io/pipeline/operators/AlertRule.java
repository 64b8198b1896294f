package io.pipeline.operators;

import java.time.Duration;
import java.util.Objects;

/**
 * A threshold rule for {@link ThresholdAlert}: raise when a key's value goes above {@code hi} (or below
 * {@code lo}), clear when it comes back past the hysteresis band.
 *
 * <ul>
 *   <li>{@link #above(String, double) above(name, hi)}: a value {@code > hi} breaches; the episode clears at a value
 *       {@code < hi − hysteresis}. {@link #below(String, double) below(name, lo)} mirrors it: breach
 *       {@code < lo}, clear {@code > lo + hysteresis}. Values inside the band change nothing.
 *   <li>{@link #withFor(Duration) for}: the rule raises only once values have breached without interruption for
 *       at least this long, in event time (Prometheus' {@code for:}); a value not breaching resets the wait. The
 *       rule is evaluated on values, so raising needs a value at or after the end of the wait.
 *   <li>{@link #withCooldown(Duration) cooldown}: after an episode cleared, the rule raises again no earlier than
 *       this long after the clearing value, in event time.
 * </ul>
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public final class AlertRule {
    private final String name;
    private final boolean above;
    private final double threshold;
    private final double hysteresis;
    private final Duration forDuration;
    private final Duration cooldown;

    private AlertRule(String name, boolean above, double threshold, double hysteresis, Duration forDuration,
            Duration cooldown) {
        this.name = name;
        this.above = above;
        this.threshold = threshold;
        this.hysteresis = hysteresis;
        this.forDuration = forDuration;
        this.cooldown = cooldown;
    }

    /** @throws IllegalArgumentException if {@code name} is blank or {@code hi} not finite */
    public static AlertRule above(String name, double hi) {
        return new AlertRule(checkName(name), true, Checks.finite(hi, "threshold"), 0, Duration.ZERO, Duration.ZERO);
    }

    /** @throws IllegalArgumentException if {@code name} is blank or {@code lo} not finite */
    public static AlertRule below(String name, double lo) {
        return new AlertRule(checkName(name), false, Checks.finite(lo, "threshold"), 0, Duration.ZERO, Duration.ZERO);
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("alert rule name is blank");
        }
        return name;
    }

    /** @throws IllegalArgumentException if {@code h} is negative or not finite */
    public AlertRule withHysteresis(double h) {
        if (!(h >= 0) || Double.isInfinite(h)) {
            throw new IllegalArgumentException("hysteresis must be finite and not negative: " + h);
        }
        return new AlertRule(name, above, threshold, h, forDuration, cooldown);
    }

    /** @throws IllegalArgumentException if {@code duration} is negative */
    public AlertRule withFor(Duration duration) {
        return new AlertRule(name, above, threshold, hysteresis, Checks.notNegative(duration, "for duration"), cooldown);
    }

    /** @throws IllegalArgumentException if {@code duration} is negative */
    public AlertRule withCooldown(Duration duration) {
        return new AlertRule(name, above, threshold, hysteresis, forDuration, Checks.notNegative(duration, "cooldown"));
    }

    public String name() {
        return name;
    }

    /** Whether values above the threshold breach (rather than below). */
    public boolean isAbove() {
        return above;
    }

    public double threshold() {
        return threshold;
    }

    public double hysteresis() {
        return hysteresis;
    }

    public Duration forDuration() {
        return forDuration;
    }

    public Duration cooldown() {
        return cooldown;
    }

    boolean breaches(double x) {
        return above ? x > threshold : x < threshold;
    }

    boolean clears(double x) {
        return above ? x < threshold - hysteresis : x > threshold + hysteresis;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AlertRule r && name.equals(r.name) && above == r.above
                && Double.compare(threshold, r.threshold) == 0 && Double.compare(hysteresis, r.hysteresis) == 0
                && forDuration.equals(r.forDuration) && cooldown.equals(r.cooldown);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, above, threshold, hysteresis, forDuration, cooldown);
    }

    @Override
    public String toString() {
        return "AlertRule[" + name + ": " + (above ? "> " : "< ") + threshold + ", hysteresis " + hysteresis
                + ", for " + forDuration + ", cooldown " + cooldown + "]";
    }
}
