package io.pipeline.testing;

import io.pipeline.core.Flow;
import io.pipeline.core.ManagerState;
import io.pipeline.core.ManagerStatus;
import io.pipeline.core.Subscription;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Records how a status changes over time — a flow's manager states, its status snapshot, or anything a
 * {@link Supplier} can read — keeping one entry per change. It samples when told ({@link #sample()}) or after
 * every task a {@link VirtualTime} runs ({@link #sampleOn(VirtualTime)}), so a test sees each state a flow's
 * supervision and sources left behind in virtual time:
 *
 * <pre>{@code
 * StatusRecorder<ManagerState> states = StatusRecorder.managerState(flow, "yahoo_apple", time);
 * flow.start();
 * states.sampleOn(time); // samples now, and after every task virtual time runs
 * time.advance(Duration.ofMinutes(5));
 * assertThat(states.values()).containsExactly(RUNNING, RESTARTING, RUNNING);
 * }</pre>
 *
 * <p>Any other status is one line away: {@code StatusRecorder.of(flow::isHealthy, time)}.
 *
 * <p>This class is thread-safe. The probe runs on the thread that samples; it must not block.
 *
 * @param <S> the status type; compared with {@link Object#equals}
 */
public final class StatusRecorder<S> {
    /**
     * One change: the status read at {@code time}, different from the one before.
     *
     * @param time  when it was sampled, by the recorder's clock
     * @param value the new status
     * @param <S>   the status type
     */
    public record Change<S>(Instant time, S value) {
        /** Validates the components. */
        public Change {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(value, "value");
        }
    }

    private final Supplier<? extends S> probe;
    private final Clock clock;
    private final Recording<Change<S>> recording = new Recording<>("status change(s)");
    private S last; // guarded by this

    private StatusRecorder(Supplier<? extends S> probe, Clock clock) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records what {@code probe} returns, stamped by {@code clock}. A probe returning {@code null} ("not known
     * yet") records nothing.
     */
    public static <S> StatusRecorder<S> of(Supplier<? extends S> probe, Clock clock) {
        return new StatusRecorder<>(probe, clock);
    }

    /**
     * Records the state of the manager named {@code manager} in {@code flow}; nothing until the flow knows a
     * manager of that name (a flow names a manager once it has built it).
     */
    public static StatusRecorder<ManagerState> managerState(Flow flow, String manager, Clock clock) {
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(manager, "manager");
        return of(() -> flow.status(manager).map(ManagerStatus::state).orElse(null), clock);
    }

    /** Records the flow's whole {@link Flow#status()} snapshot: a change of any manager's state, restarts or error. */
    public static StatusRecorder<List<ManagerStatus>> flowStatus(Flow flow, Clock clock) {
        Objects.requireNonNull(flow, "flow");
        return of(flow::status, clock);
    }

    /**
     * Reads the status once and records it if it differs from the last one recorded.
     *
     * @return whether it changed
     */
    public boolean sample() {
        S value = probe.get(); // outside the monitor: the probe is the caller's code
        if (value == null) {
            return false;
        }
        Instant time = clock.instant();
        synchronized (this) {
            if (value.equals(last)) {
                return false;
            }
            last = value;
        }
        recording.add(new Change<>(time, value));
        return true;
    }

    /**
     * Samples now and then after every step of {@code time} (see {@link VirtualTime#onStep(Runnable)}), on the
     * thread that advances it.
     *
     * @return the registration; cancel it to stop sampling
     */
    public Subscription sampleOn(VirtualTime time) {
        Objects.requireNonNull(time, "time");
        sample();
        return time.onStep(this::sample);
    }

    /** The distinct statuses in the order they were seen (each differs from the one before it). */
    public List<S> values() {
        return recording.values().stream().map(Change::value).toList();
    }

    /** Every change with its time, in order. */
    public List<Change<S>> changes() {
        return recording.values();
    }

    /** Forgets the changes so far; the next sample is recorded even if it equals the last one. */
    public void clear() {
        synchronized (this) {
            last = null;
        }
        recording.clear();
    }

    @Override
    public String toString() {
        return "StatusRecorder" + recording;
    }
}
