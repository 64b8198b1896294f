package io.pipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour both dispatchers share. Each test emits, then closes the handler (which, for the asynchronous
 * dispatcher, delivers everything accepted) before asserting.
 */
abstract class DispatcherContractTest {
    static final Event<String> WORD = Event.of("word", String.class);
    static final Event<Integer> NUMBER = Event.of("number", Integer.class);

    MessageHandler handler;
    final List<String> uncaught = new CopyOnWriteArrayList<>();
    final List<Throwable> uncaughtErrors = new CopyOnWriteArrayList<>();

    abstract MessageHandler newHandler();

    @BeforeEach
    void createHandler() {
        handler = newHandler();
        Dispatcher.of(handler).uncaughtErrorSink((processor, error) -> {
            uncaught.add(processor);
            uncaughtErrors.add(error);
        });
    }

    @AfterEach
    void closeHandler() {
        handler.close();
    }

    @Test
    void emit_runsListenersInRegistrationOrder() {
        TestProcessor source = new TestProcessor("source", handler);
        List<String> calls = new CopyOnWriteArrayList<>();
        source.on(WORD, w -> calls.add("first:" + w));
        source.on(WORD, w -> calls.add("second:" + w));

        assertThat(source.emit(WORD, "a")).isTrue();
        assertThat(source.emit(WORD, "b")).isTrue();
        handler.close();

        assertThat(calls).containsExactly("first:a", "second:a", "first:b", "second:b");
    }

    @Test
    void events_areScopedByEmittingProcessorName() {
        TestProcessor a = new TestProcessor("a", handler);
        TestProcessor b = new TestProcessor("b", handler);
        List<String> heard = new CopyOnWriteArrayList<>();
        a.on(WORD, heard::add);

        b.emit(WORD, "from b");
        a.emit(WORD, "from a");
        handler.close();

        assertThat(heard).containsExactly("from a");
    }

    @Test
    void events_withSameNameButOtherType_areDistinct() {
        TestProcessor source = new TestProcessor("source", handler);
        Event<Integer> sameName = Event.of("word", Integer.class);
        List<Object> heard = new CopyOnWriteArrayList<>();
        source.on(WORD, heard::add);

        assertThat(source.emit(sameName, 1)).isFalse();
        source.emit(WORD, "x");
        handler.close();

        assertThat(heard).containsExactly("x");
    }

    @Test
    void emit_withoutListeners_returnsFalseAndCountsDeadEvent() {
        TestProcessor source = new TestProcessor("source", handler);

        assertThat(source.emit(WORD, "nobody")).isFalse();
        assertThat(source.emit(WORD, "hears")).isFalse();

        assertThat(handler.deadEvents()).isEqualTo(2);
    }

    @Test
    void once_hearsOnlyTheFirstEmit() {
        TestProcessor source = new TestProcessor("source", handler);
        List<String> heard = new CopyOnWriteArrayList<>();
        source.once(WORD, heard::add);

        source.emit(WORD, "1");
        source.emit(WORD, "2");
        handler.close();

        assertThat(heard).containsExactly("1");
        assertThat(source.listenerCount(WORD)).isZero();
    }

    @Test
    void cancel_removesOnlyThatListener() {
        TestProcessor source = new TestProcessor("source", handler);
        List<String> heard = new CopyOnWriteArrayList<>();
        Subscription first = source.on(WORD, w -> heard.add("first"));
        source.on(WORD, w -> heard.add("second"));

        first.cancel();
        first.cancel();
        source.emit(WORD, "x");
        handler.close();

        assertThat(heard).containsExactly("second");
        assertThat(source.listenerCount(WORD)).isEqualTo(1);
    }

    @Test
    void removeAllListeners_clearsEveryEventOfThatProcessorOnly() {
        TestProcessor a = new TestProcessor("a", handler);
        TestProcessor b = new TestProcessor("b", handler);
        a.on(WORD, w -> {});
        a.on(NUMBER, n -> {});
        b.on(WORD, w -> {});

        a.removeAllListeners();

        assertThat(a.listenerCount(WORD)).isZero();
        assertThat(a.listenerCount(NUMBER)).isZero();
        assertThat(b.listenerCount(WORD)).isEqualTo(1);
    }

    @Test
    void throwingListener_isEmittedAsErrorNamingProcessorAndEvent_andOthersStillRun() {
        TestProcessor source = new TestProcessor("source", handler);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<String> heard = new CopyOnWriteArrayList<>();
        source.on(Processor.ERROR, errors::add);
        source.on(WORD, w -> {
            throw new IllegalStateException("bad " + w);
        });
        source.on(WORD, heard::add);

        source.emit(WORD, "x");
        source.emit(WORD, "y");
        handler.close();

        assertThat(heard).containsExactly("x", "y");
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).isInstanceOf(ListenerException.class)
                .hasMessageContaining("'source'").hasMessageContaining("'word'")
                .hasCauseInstanceOf(IllegalStateException.class);
        ListenerException first = (ListenerException) errors.get(0);
        assertThat(first.processor()).isEqualTo("source");
        assertThat(first.event()).isEqualTo("word");
        assertThat(uncaught).isEmpty();
    }

    @Test
    void throwingListener_withoutErrorListener_isUncaught() {
        TestProcessor source = new TestProcessor("m.source", handler);
        source.on(WORD, w -> {
            throw new Exception("checked failure");
        });

        source.emit(WORD, "x");
        handler.close();

        assertThat(uncaught).containsExactly("m.source");
        assertThat(uncaughtErrors.get(0)).isInstanceOf(ListenerException.class)
                .hasRootCauseMessage("checked failure");
    }

    @Test
    void errorEmittedWithoutListener_isUncaught() {
        TestProcessor source = new TestProcessor("source", handler);

        assertThat(source.emit(Processor.ERROR, new RuntimeException("lost?"))).isFalse();
        handler.close();

        assertThat(uncaught).containsExactly("source");
        assertThat(uncaughtErrors.get(0)).hasMessage("lost?");
    }

    @Test
    void failingErrorListener_isUncaught_notRecursed() {
        TestProcessor source = new TestProcessor("source", handler);
        source.on(Processor.ERROR, e -> {
            throw new IllegalStateException("error handler broke");
        });

        source.emit(Processor.ERROR, new RuntimeException("original"));
        handler.close();

        assertThat(uncaught).containsExactly("source");
        assertThat(uncaughtErrors.get(0)).hasRootCauseMessage("error handler broke");
    }

    @Test
    void emitAsync_completesAfterAsyncListenerStageCompletes() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        CompletableFuture<Void> stage = new CompletableFuture<>();
        CompletableFuture<String> started = new CompletableFuture<>();
        source.onAsync(WORD, w -> {
            started.complete(w);
            return stage;
        });

        CompletableFuture<Boolean> done = source.emitAsync(WORD, "x");

        assertThat(started.get(5, TimeUnit.SECONDS)).isEqualTo("x");
        assertThat(done).isNotDone();
        stage.complete(null);
        assertThat(done.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void emitAsync_withoutListeners_completesFalse() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);

        assertThat(source.emitAsync(WORD, "x").get(5, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void asyncListener_getsNextMessageOnlyAfterPreviousStageCompletes() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        List<CompletableFuture<Void>> stages = new CopyOnWriteArrayList<>();
        List<String> started = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> firstStarted = new CompletableFuture<>();
        source.onAsync(WORD, w -> {
            started.add(w);
            CompletableFuture<Void> stage = new CompletableFuture<>();
            stages.add(stage);
            firstStarted.complete(null);
            return stage;
        });

        source.emit(WORD, "1");
        CompletableFuture<Boolean> second = source.emitAsync(WORD, "2");
        CompletableFuture<Boolean> third = source.emitAsync(WORD, "3");
        firstStarted.get(5, TimeUnit.SECONDS);
        assertThat(started).containsExactly("1");

        stages.get(0).complete(null);
        waitFor(() -> stages.size() == 2);
        assertThat(started).containsExactly("1", "2");
        assertThat(second).isNotDone();

        stages.get(1).complete(null);
        assertThat(second.get(5, TimeUnit.SECONDS)).isTrue();
        waitFor(() -> stages.size() == 3);
        stages.get(2).complete(null);
        assertThat(third.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(started).containsExactly("1", "2", "3");
    }

    @Test
    void asyncListenerFailure_isEmittedAsError() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        source.on(Processor.ERROR, error::complete);
        source.onAsync(WORD, w -> CompletableFuture.failedFuture(new IllegalArgumentException("async broke")));

        source.emit(WORD, "x");

        assertThat(error.get(5, TimeUnit.SECONDS)).isInstanceOf(ListenerException.class)
                .hasRootCauseMessage("async broke");
    }

    @Test
    void emit_rejectsNullAndMistypedPayloads() {
        TestProcessor source = new TestProcessor("source", handler);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Event<Object> raw = (Event) NUMBER;

        assertThatThrownBy(() -> source.emit(WORD, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("word");
        assertThatThrownBy(() -> source.emit(raw, "not a number")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Integer").hasMessageContaining("java.lang.String");
    }

    @Test
    void emit_afterClose_throws() {
        TestProcessor source = new TestProcessor("source", handler);
        source.on(WORD, w -> {});
        handler.close();

        assertThat(handler.isClosed()).isTrue();
        assertThatThrownBy(() -> source.emit(WORD, "late")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> source.emit(NUMBER, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void listenerEmittingDownstream_reachesNextProcessor() {
        TestProcessor source = new TestProcessor("source", handler);
        TestProcessor middle = new TestProcessor("middle", handler);
        List<Integer> out = new CopyOnWriteArrayList<>();
        source.on(WORD, w -> middle.emit(NUMBER, w.length()));
        middle.on(NUMBER, out::add);

        source.emit(WORD, "abc");
        source.emit(WORD, "de");
        handler.close();

        assertThat(out).containsExactly(3, 2);
    }

    @Test
    void emitFromListener_isDeliveredDepthFirst_beforeItReturns() {
        TestProcessor source = new TestProcessor("source", handler);
        TestProcessor child = new TestProcessor("child", handler);
        List<String> order = new CopyOnWriteArrayList<>();
        source.on(WORD, w -> {
            order.add("source:" + w);
            child.emit(WORD, w + "'");
            order.add("after:" + w);
        });
        child.on(WORD, w -> order.add("child:" + w));

        source.emit(WORD, "a");
        source.emit(WORD, "b");
        handler.close();

        assertThat(order).containsExactly("source:a", "child:a'", "after:a", "source:b", "child:b'", "after:b");
    }

    @Test
    void concurrentEmitters_loseNothing() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        List<Integer> heard = java.util.Collections.synchronizedList(new ArrayList<>());
        source.on(NUMBER, heard::add);
        int threads = 4;
        int each = 5_000;
        List<Thread> emitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t * each;
            emitters.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    source.emit(NUMBER, offset + i);
                }
            }));
        }
        emitters.forEach(Thread::start);
        for (Thread emitter : emitters) {
            emitter.join(TimeUnit.SECONDS.toMillis(30));
        }
        handler.close();

        assertThat(heard).hasSize(threads * each).doesNotHaveDuplicates();
    }

    // ---- after many emits (where a dispatcher has a fast path, it is taken by then) ------------------------

    private static final int REPEATS = 1_000;

    /** Emits {@code REPEATS} words, then waits until all of them were delivered. */
    private static void emitRepeatedly(TestProcessor source) throws Exception {
        for (int i = 0; i < REPEATS; i++) {
            source.emit(WORD, "w" + i);
        }
        source.emitAsync(WORD, "barrier").get(5, TimeUnit.SECONDS);
    }

    @Test
    void afterRepeatedEmits_listenerAddedLater_hearsWhatFollows() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        source.on(WORD, first::add);
        emitRepeatedly(source);

        source.on(WORD, second::add);
        source.emit(WORD, "after");
        handler.close();

        assertThat(first).hasSize(REPEATS + 2).endsWith("barrier", "after");
        assertThat(second).containsExactly("after");
    }

    @Test
    void afterRepeatedEmits_cancelledListener_hearsNothingMore() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        List<String> heard = new CopyOnWriteArrayList<>();
        Subscription subscription = source.on(WORD, heard::add);
        emitRepeatedly(source);

        subscription.cancel();
        assertThat(source.emit(WORD, "after")).isFalse();
        handler.close();

        assertThat(heard).hasSize(REPEATS + 1).doesNotContain("after");
        assertThat(handler.deadEvents()).isEqualTo(1);
    }

    @Test
    void afterRepeatedEmits_throwingListener_isStillEmittedAsError() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        source.on(Processor.ERROR, errors::add);
        source.on(WORD, w -> {
            if (w.equals("boom")) {
                throw new IllegalStateException("boom");
            }
        });
        emitRepeatedly(source);

        source.emit(WORD, "boom");
        handler.close();

        assertThat(errors).singleElement().isInstanceOf(ListenerException.class)
                .extracting(Throwable::getCause).isInstanceOf(IllegalStateException.class);
        assertThat(uncaught).isEmpty();
    }

    @Test
    void afterRepeatedEmits_otherPayloadClassesAreStillChecked() throws Exception {
        Event<Number> amount = Event.of("amount", Number.class);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Event<Object> raw = (Event) amount;
        TestProcessor source = new TestProcessor("source", handler);
        List<Number> heard = new CopyOnWriteArrayList<>();
        source.on(amount, heard::add);
        for (int i = 0; i < REPEATS; i++) {
            source.emit(amount, i);
        }

        source.emit(amount, 5L);
        assertThatThrownBy(() -> source.emit(raw, "not a number")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Number").hasMessageContaining("java.lang.String");
        assertThatThrownBy(() -> source.emit(amount, null)).isInstanceOf(NullPointerException.class);
        handler.close();

        assertThat(heard).hasSize(REPEATS + 1).last().isEqualTo(5L);
    }

    @Test
    void afterRepeatedEmits_emitAfterClose_throws() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        source.on(WORD, w -> {});
        emitRepeatedly(source);

        handler.close();

        assertThatThrownBy(() -> source.emit(WORD, "late")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    // ---- faults, ordering, error events ------------------------------------------------------------------

    @Test
    void emitError_afterClose_throws() {
        TestProcessor source = new TestProcessor("source", handler);
        source.on(Processor.ERROR, e -> {});
        handler.close();

        assertThatThrownBy(() -> source.emit(Processor.ERROR, new RuntimeException("late")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> source.emitAsync(Processor.ERROR, new RuntimeException("late")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void emitAsync_ofErrorEvent_reachesErrorListeners_andCompletes() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        source.on(Processor.ERROR, errors::add);

        CompletableFuture<Boolean> done = source.emitAsync(Processor.ERROR, new RuntimeException("e"));

        assertThat(done.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(errors).extracting(Throwable::getMessage).containsExactly("e");
    }

    @Test
    void recoveredFailure_withoutErrorListener_isADeadEvent_notUncaught() {
        TestProcessor source = new TestProcessor("source", handler);

        boolean heard = source.emit(Processor.ERROR, new RecoveredFailure("poll failed; retrying",
                new java.io.IOException("timeout")));
        handler.close();

        assertThat(heard).isFalse();
        assertThat(handler.deadEvents()).isEqualTo(1);
        assertThat(uncaught).isEmpty();
    }

    @Test
    void stackOverflowInListener_isEmittedAsError_andTheHandlerKeepsWorking() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<String> heard = new CopyOnWriteArrayList<>();
        source.on(Processor.ERROR, errors::add);
        source.on(WORD, w -> {
            if (w.equals("recurse")) {
                recurseForever(0);
            }
            heard.add(w);
        });

        source.emit(WORD, "recurse");
        source.emit(WORD, "after");
        handler.close();

        assertThat(heard).containsExactly("after");
        assertThat(errors).singleElement().isInstanceOf(ListenerException.class)
                .extracting(Throwable::getCause).isInstanceOf(StackOverflowError.class);
        assertThat(Dispatcher.of(handler).fatalError()).isNull();
        assertThat(uncaught).isEmpty();
    }

    private static int recurseForever(int n) {
        return recurseForever(n + 1) + 1;
    }

    @Test
    void fatalErrorInListener_isRecorded_andLaterEmitsThrowNamingIt() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        CompletableFuture<Throwable> sink = new CompletableFuture<>();
        Dispatcher.of(handler).fatalErrorSink(sink::complete);
        OutOfMemoryError fatal = new OutOfMemoryError("simulated");
        source.on(WORD, w -> {
            throw fatal;
        });

        try {
            source.emit(WORD, "x"); // a SyncDispatcher's emitter gets the error itself
        } catch (OutOfMemoryError expected) {
            assertThat(expected).isSameAs(fatal);
        }

        assertThat(sink.get(5, TimeUnit.SECONDS)).isSameAs(fatal);
        assertThat(Dispatcher.of(handler).fatalError()).isSameAs(fatal);
        assertThat(handler.isClosed()).isTrue();
        assertThatThrownBy(() -> source.emit(WORD, "later")).isInstanceOf(IllegalStateException.class)
                .hasCause(fatal);
        assertThatThrownBy(() -> source.emit(Processor.ERROR, new RuntimeException("later")))
                .isInstanceOf(IllegalStateException.class).hasCause(fatal);
        assertThatThrownBy(() -> source.emitAsync(WORD, "later")).isInstanceOf(IllegalStateException.class)
                .hasCause(fatal);
    }

    @Test
    void emitOrder_perProcessorAndListener_holdsPastAnyNestingDepth() {
        TestProcessor chain = new TestProcessor("chain", handler);
        TestProcessor out = new TestProcessor("out", handler);
        List<String> heard = new CopyOnWriteArrayList<>();
        List<Integer> links = new CopyOnWriteArrayList<>();
        out.on(WORD, heard::add);
        chain.on(NUMBER, n -> {
            links.add(n);
            if (n == AsyncDispatcher.MAX_INLINE_DEPTH + 1) {
                out.emit(WORD, "deep"); // emitted first, nested as deep as the async loop delivers inline
            }
            if (n < 60) {
                chain.emit(NUMBER, n + 1);
            }
            if (n == 1) {
                out.emit(WORD, "shallow"); // emitted later, one level deep
            }
        });

        chain.emit(NUMBER, 1);
        handler.close();

        assertThat(heard).containsExactly("deep", "shallow");
        assertThat(links).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 60).boxed().toList());
    }

    @Test
    void asyncListenerBacklog_ofThousandsOfMessages_isWorkedThroughIteratively() throws Exception {
        TestProcessor source = new TestProcessor("source", handler);
        CompletableFuture<Void> first = new CompletableFuture<>();
        List<Integer> handled = new CopyOnWriteArrayList<>();
        source.onAsync(NUMBER, n -> {
            handled.add(n);
            return n == 0 ? first : CompletableFuture.completedFuture(null);
        });
        int messages = 20_000;
        for (int i = 0; i < messages - 1; i++) {
            source.emit(NUMBER, i);
        }
        CompletableFuture<Boolean> last = source.emitAsync(NUMBER, messages - 1);

        first.complete(null); // releases the whole backlog at once

        assertThat(last.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(handled).containsExactlyElementsOf(java.util.stream.IntStream.range(0, messages).boxed().toList());
    }

    /** Polls a condition set by another thread; bounded, for state that has no future to wait on. */
    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
