package io.pipeline.core.adversarial5;

import static org.assertj.core.api.Assertions.assertThat;

import io.pipeline.core.Listener;
import io.pipeline.core.Processor;
import io.pipeline.core.Subscription;
import io.pipeline.core.SyncDispatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A {@link SyncDispatcher} recursion that overflows the stack while its listeners rewire themselves: each replaces
 * itself ({@code cancel}, then {@code on} of a successor) and emits again, until a {@link StackOverflowError} strikes
 * — somewhere inside {@code cancel} or {@code on} too. Once it has unwound, the processor's listeners are whatever
 * the topic says they are: the next emit is heard by exactly the listeners {@code listenerCount} counts, never by
 * one the overflow left behind as the direct listener. Swept over stack sizes, so that the overflow strikes at every depth
 * of the rewiring.
 */
class OverflowWhileRewiringTest {

    /** Replaces itself by a successor and emits again, down to the overflow. */
    private static final class Rewiring implements Listener<String> {
        private final Node node;
        private final List<Rewiring> heard;
        Subscription subscription;

        Rewiring(Node node, List<Rewiring> heard) {
            this.node = node;
            this.heard = heard;
        }

        @Override
        public void handle(String payload) {
            heard.add(this);
            if (payload.equals("probe")) {
                return;
            }
            subscription.cancel();
            Rewiring next = new Rewiring(node, heard);
            next.subscription = node.on(Node.A, next);
            node.emit(Node.A, payload);
        }
    }

    @Test
    void overflowWhileListenersReplaceThemselves_theNextEmitIsHeardByExactlyTheRegisteredListeners()
            throws InterruptedException {
        List<String> inconsistent = new ArrayList<>();
        for (int kilobytes = 128; kilobytes <= 768; kilobytes += 8) {
            for (int extraFrames = 0; extraFrames < 3; extraFrames++) {
                String[] outcome = new String[1];
                int frames = extraFrames;
                Thread thread = new Thread(null, () -> outcome[0] = overflowAndProbe(frames), "adv5-overflow",
                        kilobytes * 1024L);
                thread.start();
                thread.join(30_000);
                assertThat(thread.isAlive()).isFalse();
                if (outcome[0] != null) {
                    inconsistent.add(kilobytes + " KiB + " + frames + ": " + outcome[0]);
                }
            }
        }

        assertThat(inconsistent).isEmpty();
    }

    /** Null when the probe emit was heard by exactly the registered listeners; else what went wrong. */
    private static String overflowAndProbe(int extraFrames) {
        SyncDispatcher handler = new SyncDispatcher();
        Node node = new Node("rewiring", handler);
        node.on(Processor.ERROR, error -> { }); // the overflow, routed once the stack has unwound
        List<Rewiring> heard = new CopyOnWriteArrayList<>();
        Rewiring first = new Rewiring(node, heard);
        first.subscription = node.on(Node.A, first);
        try {
            dive(node, extraFrames);
        } catch (StackOverflowError unwound) {
            // thrown where nothing could route it: fine, the probe below is what counts
        }
        heard.clear();
        int registered = node.listenerCount(Node.A);
        try {
            node.emit(Node.A, "probe");
        } catch (RuntimeException e) {
            return "probe emit threw " + e;
        } finally {
            handler.close();
        }
        return heard.size() == registered ? null
                : "heard by " + heard.size() + " listener(s), " + registered + " registered";
    }

    private static void dive(Node node, int extraFrames) {
        if (extraFrames > 0) {
            dive(node, extraFrames - 1);
            return;
        }
        node.emit(Node.A, "go");
    }
}
