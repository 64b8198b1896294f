package io.pipeline.bench;

import com.google.common.eventbus.AllowConcurrentEvents;
import com.google.common.eventbus.AsyncEventBus;
import com.google.common.eventbus.EventBus;
import com.google.common.eventbus.Subscribe;
import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import com.lmax.disruptor.util.DaemonThreadFactory;
import io.pipeline.core.AsyncDispatcher;
import io.pipeline.core.Event;
import io.pipeline.core.Flow;
import io.pipeline.core.Manager;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.Source;
import io.pipeline.core.SyncDispatcher;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.schedulers.Schedulers;
import io.reactivex.rxjava3.subjects.PublishSubject;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The contenders, each wired the way its users wire it, doing the same work: source → map (price × 1.01) →
 * terminal. Names are the values of the benchmarks' {@code contender} parameter.
 */
final class Pipelines {
    /** Ring/queue capacity for the bounded async contenders: the AsyncDispatcher's default. */
    static final int CAPACITY = AsyncDispatcher.DEFAULT_CAPACITY;

    private Pipelines() {}

    static Pipeline create(String contender, Terminal terminal) {
        return switch (contender) {
            case "direct" -> new Direct(terminal);
            case "syncDispatcher" -> new Dispatched(new SyncDispatcher(), terminal);
            case "syncDispatcherTwoListeners" -> new Dispatched(new SyncDispatcher(), terminal, true);
            case "syncDispatcherTwoEvents" -> Dispatched.mapperOfTwoEvents(new SyncDispatcher(), terminal);
            case "asyncDispatcher" -> new Dispatched(new AsyncDispatcher(), terminal);
            case "syncDispatcherMetricsOff" -> new Flowed(new SyncDispatcher(), false, false, terminal);
            case "syncDispatcherFlow" -> new Flowed(new SyncDispatcher(), true, false, terminal);
            case "syncDispatcherTimed" -> new Flowed(new SyncDispatcher(), true, true, terminal);
            case "asyncDispatcherMetricsOff" -> new Flowed(new AsyncDispatcher(), false, false, terminal);
            case "asyncDispatcherFlow" -> new Flowed(new AsyncDispatcher(), true, false, terminal);
            case "guavaEventBus" -> new Guava(new EventBus("bench"), null, terminal);
            case "guavaAsyncEventBus" -> {
                ExecutorService executor = Executors.newSingleThreadExecutor(daemon("guava-async"));
                yield new Guava(new AsyncEventBus("bench", executor), executor, terminal);
            }
            case "rxJava" -> rx(subject -> subject, terminal);
            case "rxJavaObserveOn" -> rx(subject -> subject.observeOn(Schedulers.single()), terminal);
            case "reactor" -> reactor(flux -> flux, terminal);
            case "reactorPublishOn" -> reactor(flux -> flux.publishOn(reactor.core.scheduler.Schedulers.single()),
                    terminal);
            case "disruptorYielding" -> new LmaxDisruptor(new YieldingWaitStrategy(), terminal);
            case "disruptorBlocking" -> new LmaxDisruptor(new BlockingWaitStrategy(), terminal);
            case "arrayBlockingQueue" -> new QueueLoop(terminal);
            default -> throw new IllegalArgumentException("unknown contender: " + contender);
        };
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    // ---- the physical limit: direct method calls ----------------------------------------------------------

    private static final class Direct implements Pipeline {
        private final Terminal terminal;

        Direct(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public void publish(Tick tick) {
            map(tick);
        }

        private void map(Tick tick) {
            terminal.accept(Priced.of(tick));
        }

        @Override
        public void close() {}
    }

    // ---- this library, wired as a Manager wires it ---------------------------------------------------------

    static final class TickSource extends Processor {
        static final Event<Tick> TICK = Event.of("tick", Tick.class);

        TickSource(String name, MessageHandler handler) {
            super(name, handler);
        }

        void publish(Tick tick) {
            emit(TICK, tick);
        }
    }

    static final class PriceMapper extends Processor {
        static final Event<Priced> PRICED = Event.of("priced", Priced.class);
        /** An event the mapper emits once, before the measurement, in {@code syncDispatcherTwoEvents}. */
        static final Event<String> STARTED = Event.of("started", String.class);

        PriceMapper(String name, MessageHandler handler) {
            super(name, handler);
        }

        void handle(Tick tick) {
            emit(PRICED, Priced.of(tick));
        }
    }

    private static final class Dispatched implements Pipeline {
        private final MessageHandler handler;
        private final TickSource source;
        private final PriceMapper mapper;

        Dispatched(MessageHandler handler, Terminal terminal) {
            this(handler, terminal, false);
        }

        /**
         * The plain wiring, but the mapper emits a second event (once, before the measurement): a processor of
         * several events calls its listeners through the topic's field, not its own copy (see InlineDelivery).
         */
        static Dispatched mapperOfTwoEvents(MessageHandler handler, Terminal terminal) {
            Dispatched dispatched = new Dispatched(handler, terminal, false);
            dispatched.mapper.on(PriceMapper.STARTED, started -> {});
            dispatched.source.publish(new Tick(0, 100.0));
            dispatched.mapper.emit(PriceMapper.STARTED, "started");
            return dispatched;
        }

        /**
         * With {@code secondListener}, the mapper's event has a second listener that only reads the price: two
         * listeners take the inline rung (each called in turn) instead of the direct one.
         */
        Dispatched(MessageHandler handler, Terminal terminal, boolean secondListener) {
            this.handler = handler;
            this.source = new TickSource("bench.source", handler);
            this.mapper = new PriceMapper("bench.mapper", handler);
            source.on(TickSource.TICK, mapper::handle);
            mapper.on(PriceMapper.PRICED, terminal::accept);
            if (secondListener) {
                mapper.on(PriceMapper.PRICED, priced -> {
                    if (priced.price() < 0) {
                        throw new IllegalStateException("negative price " + priced.price());
                    }
                });
            }
        }

        @Override
        public void publish(Tick tick) {
            source.publish(tick);
        }

        @Override
        public void close() {
            handler.close();
        }
    }

    /**
     * The same wiring built by a {@link Manager} of a {@link Flow}: the only way to turn metrics off
     * ({@code Flow.Builder.metrics(false)}). The flow's supervisor thread idles throughout.
     */
    private static final class Flowed implements Pipeline {
        private final Flow flow;
        /** Held in a field, as a user holds what a manager built: not read through an array on every event. */
        private final TickSourceOfFlow source;

        Flowed(MessageHandler handler, boolean metrics, boolean timeDirectCalls, Terminal terminal) {
            TickSourceOfFlow[] built = new TickSourceOfFlow[1];
            this.flow = Flow.builder().name("bench-" + System.identityHashCode(this)).handler(handler)
                    .metrics(metrics).timeDirectCalls(timeDirectCalls).manager(h -> new Manager("bench", h) {
                        {
                            TickSourceOfFlow tickSource = new TickSourceOfFlow(processorName("source"), h);
                            PriceMapper mapper = new PriceMapper(processorName("mapper"), h);
                            tickSource.on(TickSource.TICK, mapper::handle);
                            mapper.on(PriceMapper.PRICED, terminal::accept);
                            setSource(tickSource);
                            built[0] = tickSource;
                        }
                    }).build();
            flow.start();
            this.source = built[0];
        }

        @Override
        public void publish(Tick tick) {
            source.publish(tick);
        }

        @Override
        public void close() {
            flow.close();
        }
    }

    /** {@link TickSource} as a {@link Source}, for a manager. */
    static final class TickSourceOfFlow extends Source {
        TickSourceOfFlow(String name, MessageHandler handler) {
            super(name, handler);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> start() {
            return completion();
        }

        void publish(Tick tick) {
            emit(TickSource.TICK, tick);
        }
    }

    // ---- Guava EventBus / AsyncEventBus ----------------------------------------------------------------------

    private static final class Guava implements Pipeline {
        private final EventBus bus;
        private final ExecutorService executor;

        Guava(EventBus bus, ExecutorService executor, Terminal terminal) {
            this.bus = bus;
            this.executor = executor;
            bus.register(new Object() {
                @Subscribe
                @AllowConcurrentEvents
                public void onTick(Tick tick) {
                    bus.post(Priced.of(tick));
                }

                @Subscribe
                @AllowConcurrentEvents
                public void onPriced(Priced priced) {
                    terminal.accept(priced);
                }
            });
        }

        @Override
        public void publish(Tick tick) {
            bus.post(tick);
        }

        @Override
        public void close() {
            if (executor != null) {
                executor.shutdown();
                try {
                    executor.awaitTermination(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    // ---- RxJava 3 ---------------------------------------------------------------------------------------------

    private static Pipeline rx(Function<Observable<Tick>, Observable<Tick>> stage, Terminal terminal) {
        PublishSubject<Tick> subject = PublishSubject.create();
        Disposable subscription = stage.apply(subject).map(Priced::of).subscribe(terminal::accept);
        return new Pipeline() {
            @Override
            public void publish(Tick tick) {
                subject.onNext(tick);
            }

            @Override
            public void close() {
                subject.onComplete();
                subscription.dispose();
            }
        };
    }

    // ---- Reactor ------------------------------------------------------------------------------------------------

    private static Pipeline reactor(Function<Flux<Tick>, Flux<Tick>> stage, Terminal terminal) {
        Sinks.Many<Tick> sink = Sinks.many().unicast().onBackpressureBuffer();
        reactor.core.Disposable subscription = stage.apply(sink.asFlux()).map(Priced::of).subscribe(terminal::accept);
        return new Pipeline() {
            @Override
            public void publish(Tick tick) {
                sink.tryEmitNext(tick);
            }

            @Override
            public void close() {
                sink.tryEmitComplete();
                subscription.dispose();
            }
        };
    }

    // ---- LMAX Disruptor 4: two chained handlers ---------------------------------------------------------------

    static final class Slot {
        Tick tick;
        Priced mapped;
    }

    private static final class LmaxDisruptor implements Pipeline {
        private final Disruptor<Slot> disruptor;
        private final RingBuffer<Slot> ring;

        LmaxDisruptor(WaitStrategy waitStrategy, Terminal terminal) {
            disruptor = new Disruptor<>(Slot::new, CAPACITY, DaemonThreadFactory.INSTANCE, ProducerType.SINGLE,
                    waitStrategy);
            EventHandler<Slot> map = (slot, sequence, endOfBatch) -> slot.mapped = Priced.of(slot.tick);
            EventHandler<Slot> sum = (slot, sequence, endOfBatch) -> terminal.accept(slot.mapped);
            disruptor.handleEventsWith(map).then(sum);
            ring = disruptor.start();
        }

        @Override
        public void publish(Tick tick) {
            long sequence = ring.next();
            ring.get(sequence).tick = tick;
            ring.publish(sequence);
        }

        @Override
        public void close() {
            disruptor.shutdown();
        }
    }

    // ---- the naive async design: an ArrayBlockingQueue and one loop thread ------------------------------------

    private static final class QueueLoop implements Pipeline {
        private static final Tick POISON = new Tick(Long.MIN_VALUE, Double.NaN);
        private final ArrayBlockingQueue<Tick> queue = new ArrayBlockingQueue<>(CAPACITY);
        private final Thread loop;

        QueueLoop(Terminal terminal) {
            loop = new Thread(() -> {
                try {
                    while (true) {
                        Tick tick = queue.take();
                        if (tick == POISON) {
                            return;
                        }
                        terminal.accept(Priced.of(tick));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "queue-loop");
            loop.setDaemon(true);
            loop.start();
        }

        @Override
        public void publish(Tick tick) {
            try {
                queue.put(tick);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing", e);
            }
        }

        @Override
        public void close() {
            publish(POISON);
            try {
                loop.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
