package io.pipeline.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Holds back the work a processor begins by itself — a timer that emits, say — until the {@link Manager} that
 * named the processor has started, so that it cannot emit before the manager's constructor has subscribed the
 * processor's listeners. One gate per {@link MessageHandler}.
 *
 * <p>Why: a manager wires its processors in its constructor, one {@code on} after the other, and only
 * {@link Manager#start()} starts what produces messages (its sources). A processor that emits on its own as soon as
 * it exists — an operator whose timer is already due because it took over its predecessor's state after a restart
 * ({@link RetainedState}) — races that wiring: its first message can be delivered, on another thread, before the
 * next line of the constructor subscribed a listener, and is then a dead event. Such a processor asks
 * {@link #whenStarted} to run its first step instead of running it in its constructor.
 *
 * <p>A name is held from the moment a manager hands it out ({@link Manager#processorName}) until that manager
 * starts; a rebuilt manager that hands out the same name holds it again. A manager stopped without having started
 * (built while its flow closes) drops what waits on its names. A processor whose name no unstarted manager handed
 * out — used outside a flow, or created after its manager started — is not held.
 *
 * <p>This class is thread-safe. An action runs once: at once on the thread calling {@link #whenStarted} when its
 * name is not held, otherwise on the thread that starts the manager (a {@link Flow}'s supervisor), before the
 * manager's sources start. Actions never run under a lock of this class; they should be short and must not block.
 */
public final class StartGate {
    /*
     * The holders are the managers, seen as plain objects (by identity): the gate belongs to the handler, the
     * dispatch layer, which knows nothing of supervision.
     */
    /** Processor name → the unstarted manager that handed it out. Guarded by {@code this}. */
    private final Map<String, Object> heldBy = new HashMap<>();
    /** Actions waiting for a manager to start. Guarded by {@code this}. */
    private final Map<Object, List<Runnable>> waiting = new IdentityHashMap<>();

    StartGate() {
    }

    /** The gate of {@code handler}. */
    public static StartGate of(MessageHandler handler) {
        return Dispatcher.of(handler).startGate();
    }

    /**
     * Runs {@code action} once the manager that handed out {@code processorName} has started: now, if no
     * unstarted manager holds the name.
     */
    public void whenStarted(String processorName, Runnable action) {
        Objects.requireNonNull(processorName, "processorName");
        Objects.requireNonNull(action, "action");
        synchronized (this) {
            Object holder = heldBy.get(processorName);
            if (holder != null) {
                waiting.computeIfAbsent(holder, m -> new ArrayList<>()).add(action);
                return;
            }
        }
        action.run();
    }

    /** Whether {@code processorName} is held: handed out by a manager that has not started yet. */
    public synchronized boolean isHeld(String processorName) {
        return heldBy.containsKey(Objects.requireNonNull(processorName, "processorName"));
    }

    /** {@code manager} handed out {@code processorName} and has not started. */
    synchronized void hold(String processorName, Object manager) {
        heldBy.put(processorName, manager);
    }

    /**
     * {@code manager} starts: releases its names and runs what waited on them, in the order asked, on this
     * thread. Every action is run; the first failure is rethrown afterwards.
     */
    void open(Object manager) {
        List<Runnable> actions;
        synchronized (this) {
            heldBy.values().removeIf(holder -> holder == manager);
            actions = waiting.remove(manager);
        }
        if (actions == null) {
            return;
        }
        RuntimeException failure = null;
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** {@code manager} stopped: its names are released and what waited on them never runs. */
    synchronized void discard(Object manager) {
        heldBy.values().removeIf(holder -> holder == manager);
        waiting.remove(manager);
    }
}
