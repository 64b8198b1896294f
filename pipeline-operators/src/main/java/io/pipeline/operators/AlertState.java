package io.pipeline.operators;

/** What an {@link Alert} says. */
public enum AlertState {
    /** A rule's condition started an episode (after its minimum duration). */
    RAISED,
    /** The episode ended: the value came back past the hysteresis band, or a stale key sent a value again. */
    CLEARED,
    /** No value for the key within the staleness timeout. */
    STALE
}
