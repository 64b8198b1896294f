package io.pipeline.core;

/**
 * Everything an emit needs to know about one topic, as one immutable snapshot: the subscribers, the plain-listener
 * view of them, the sole listener, and a payload class already found to be an instance of the event's type. A
 * {@link Topic} publishes a new snapshot through one volatile field whenever any of these changes, so an emit reads
 * a consistent set with a single volatile load (see {@link InlineDelivery} for how the fast paths use it). The one
 * value the direct rung needs, the listener an emitter may call directly, is derived from {@link #sole} by the
 * topic and published beside the route ({@link Topic#direct}), so that the direct rung costs one load, not two.
 *
 * @param subscribers  every subscriber, in registration order
 * @param plain        the listeners themselves when every subscriber is a plain, permanent listener (the common
 *                     case), else {@code null}
 * @param sole         the only listener when {@code plain} holds exactly one, else {@code null}
 * @param accepted     a payload class that passed the type check, or {@code null}
 */
record Route(
        Subscriber[] subscribers,
        Listener<Object>[] plain,
        Listener<Object> sole,
        Class<?> accepted) {

    private static final Subscriber[] NO_SUBSCRIBERS = new Subscriber[0];

    /** No subscriber yet. */
    static Route empty() {
        return of(NO_SUBSCRIBERS, null);
    }

    /** The route of {@code subscribers}. */
    @SuppressWarnings("unchecked")
    static Route of(Subscriber[] subscribers, Class<?> accepted) {
        Listener<Object>[] plain = (Listener<Object>[]) new Listener<?>[subscribers.length];
        for (int i = 0; i < subscribers.length; i++) {
            plain[i] = subscribers[i].plainListener();
            if (plain[i] == null) {
                plain = null;
                break;
            }
        }
        Listener<Object> sole = plain != null && plain.length == 1 ? plain[0] : null;
        return new Route(subscribers, plain, sole, accepted);
    }

    boolean isEmpty() {
        return subscribers.length == 0;
    }

    /** This route with {@code payloadClass} remembered as accepted. */
    Route accepting(Class<?> payloadClass) {
        return new Route(subscribers, plain, sole, payloadClass);
    }
}
