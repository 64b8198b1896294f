package io.pipeline.examples.env;

import io.pipeline.core.Event;
import io.pipeline.core.Listener;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import io.pipeline.core.RetainedState;
import io.pipeline.core.SyncDispatcher;
import io.pipeline.operators.AlertRule;
import io.pipeline.operators.AlertState;
import io.pipeline.operators.AnomalyDetector;
import io.pipeline.operators.Chain;
import io.pipeline.operators.OperatorOptions;
import io.pipeline.operators.Operators;
import io.pipeline.operators.Rolling;
import io.pipeline.operators.Series;
import io.pipeline.operators.TrendPoint;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The monitor's analytics, built from {@code pipeline-operators} on a chain of one location's readings, every
 * operator keyed by location and sensor ({@link SeriesKey}):
 *
 * <pre>
 * readings → dedup (location, sensor, current.time) ─┬→ stale (per feed)        → {@link Sink#alert} STALE
 *                                                    ├→ trend (per hour)  ┐
 *                                                    ├→ stats (mean, std) ┴→ {@link Sink#stats}
 *                                                    ├→ anomalies (z-score) → {@link Sink#anomaly}
 *                                                    └→ filter sensor → alert (hysteresis), one per rule → {@link Sink#alert}
 * </pre>
 *
 * <p>The operators' results are turned into the example's own records ({@link Stats}, {@link Anomaly},
 * {@link Alert}), which the page, the console and the history endpoint read. Two things the operators do not do
 * in one step are done here: a {@link Stats} carries the reading's trend too, so the trend and the statistics of
 * the same reading are joined ({@link TrendJoin}); and a reading's unit travels in its key.
 *
 * <p>Where the operators' rules differ from the hand-written analytics this chain replaced: a reading is an
 * anomaly when {@code |z| > zLimit} (was {@code >=}), and against a constant window any other value is one
 * (z infinite; before, a zero spread hid anomalies); a feed is stale once exactly {@code staleAfter} has passed
 * without a reading, checked when that time comes rather than by polling; and a repeat is a reading whose
 * {@code current.time} was seen within {@link #DEDUP_HORIZON}, where before any time not newer than the last was
 * dropped (Open-Meteo's times only move forward).
 *
 * <p>Steps are named ({@code dedup}, {@code stale}, {@code trend}, {@code stats}, {@code anomalies},
 * {@code alert-<n>-<sensor>}) so that a restarted manager finds their state again, and so that {@link #warm} can
 * hand state computed from the history file over to the live chain. Not thread-safe: build on one thread; the
 * chain runs where its handler delivers (the {@code AsyncDispatcher}'s loop), and so do the sink's methods.
 */
final class Analytics {
    /** How long a reading's {@code (location, sensor, current.time)} is remembered to drop repeats of it. */
    static final Duration DEDUP_HORIZON = Duration.ofDays(1);
    /**
     * Keys of state per step of one location's chain: a location has six series and two feeds, so the bound is
     * for {@code dedup}, whose keys are readings — 10,000 of them, about 2 MB, hold a day of live readings and
     * the last minutes of the simulator's (which never repeats), instead of the library default's 100,000.
     */
    static final int MAX_KEYS = 10_000;

    private Analytics() {
    }

    /**
     * The analytics' settings.
     *
     * @param window     readings per series in the rolling window
     * @param zLimit     |z| beyond which a reading is an anomaly
     * @param minCount   readings needed in the window before anomalies are looked for
     * @param thresholds the alert rules
     * @param staleAfter a feed of a location with no reading for this long is stale
     */
    record Settings(int window, double zLimit, int minCount, List<Threshold> thresholds, Duration staleAfter) {
        Settings {
            if (window < 2) {
                throw new IllegalArgumentException("window < 2: " + window);
            }
            if (minCount < 2 || minCount > window) {
                throw new IllegalArgumentException("minCount not within 2..window: " + minCount);
            }
            if (!(zLimit > 0) || Double.isInfinite(zLimit)) {
                throw new IllegalArgumentException("zLimit not positive and finite: " + zLimit);
            }
            thresholds = List.copyOf(thresholds);
            Objects.requireNonNull(staleAfter, "staleAfter");
        }

        static Settings defaults(Duration staleAfter) {
            return new Settings(30, 4.5, 20, Threshold.DEFAULTS, staleAfter);
        }

        Settings withThresholds(List<Threshold> rules) {
            return new Settings(window, zLimit, minCount, rules, staleAfter);
        }
    }

    /**
     * Where the analytics' results go. Called on the thread that delivers to the chain, one call at a time; a
     * method that throws is reported as an error of its step and does not stop the chain.
     */
    interface Sink {
        void stats(Stats stats);

        void anomaly(Anomaly anomaly);

        void alert(Alert alert);
    }

    /** The key of one series: a location's sensor, with the unit its values are in. */
    record SeriesKey(String location, String sensor, String unit) {
        static SeriesKey of(Reading reading) {
            return new SeriesKey(reading.location(), reading.sensor(), reading.unit());
        }
    }

    /** The key of one feed of a location, for staleness. */
    record FeedKey(String location, String feed) {
        static FeedKey of(Reading reading) {
            return new FeedKey(reading.location(), Sensor.byId(reading.sensor()).map(sensor -> sensor.feed().id())
                    .orElse(reading.sensor()));
        }
    }

    /** The options of the monitor's chains: its clock and scheduler (for staleness), {@link #MAX_KEYS}. */
    static OperatorOptions options(java.time.Clock clock, java.util.concurrent.ScheduledExecutorService scheduler) {
        return OperatorOptions.defaults().withClock(clock).withScheduler(scheduler).withMaxKeys(MAX_KEYS);
    }

    static final Series<Reading> SERIES = Series.of(SeriesKey::of, Reading::time, Reading::value);

    /**
     * Drops a reading whose {@code (location, sensor, current.time)} was seen within {@link #DEDUP_HORIZON}: the
     * APIs update every 15 minutes, and polling more often returns the same values (a restarted manager, or a
     * start that read the history back, remembers them too).
     */
    static Chain<Reading> dedup(Chain<Reading> readings) {
        return readings.named("dedup").dedup(r -> List.of(r.location(), r.sensor(), r.time()), DEDUP_HORIZON);
    }

    /** Builds the analytics on {@code readings} (deduplicated), their results going to {@code sink}. */
    static void analyse(Chain<Reading> readings, Settings settings, Sink sink) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(sink, "sink");
        // Subscribed first: a feed's "readings again" comes before the statistics of the reading that ended it.
        readings.named("stale").stale(FeedKey::of, settings.staleAfter())
                .to(alert -> sink.alert(staleness(alert, settings.staleAfter())));
        Rolling window = Rolling.count(settings.window());
        TrendJoin join = new TrendJoin(sink);
        readings.named("trend").trend(SERIES, window, Duration.ofHours(1), 0).to(join::trend);
        readings.named("stats").stats(SERIES, window).to(join::stats);
        readings.named("anomalies").anomalies(SERIES, settings.window(), AnomalyDetector.Method.Z_SCORE,
                settings.minCount(), settings.zLimit()).to(anomaly -> sink.anomaly(anomaly(anomaly)));
        List<Threshold> rules = settings.thresholds();
        for (int i = 0; i < rules.size(); i++) {
            Threshold rule = rules.get(i);
            String name = "alert-" + (i + 1) + "-" + rule.sensor();
            readings.named(name + "-sensor").filter(r -> r.sensor().equals(rule.sensor()))
                    .named(name).alert(SERIES, AlertRule.above(rule.sensor(), rule.above())
                            .withHysteresis(rule.above() - rule.clearBelow()))
                    .to(alert -> sink.alert(threshold(alert, rule)));
        }
    }

    /**
     * Builds one location's chain on {@code ops}: the readings of {@code inputs} merged, deduplicated
     * ({@link #dedup}) and analysed ({@link #analyse}). Returns the deduplicated readings, for the history file.
     */
    @SafeVarargs
    static Chain<Reading> build(Operators ops, Settings settings, Sink sink, Chain<Reading>... inputs) {
        Chain<Reading> fresh = dedup(ops.merge(inputs));
        analyse(fresh, settings, sink);
        return fresh;
    }

    /**
     * Runs {@code history} (one location's readings, oldest first) through a chain built like the live one, on a
     * handler of its own, sending its results to {@code sink}; then hands every stateful step's state over to
     * {@code target}'s {@link RetainedState} under the same name. The live chain, built afterwards on
     * {@code target} by the manager named {@code managerName}, starts warm: statistics, open alert episodes, the
     * readings already seen, the feeds' last arrival.
     *
     * <p>This borrows the operators' restart mechanism (state kept by processor name) because the operators have
     * no "warm up without emitting" mode, and because the live handler delivers asynchronously while the backfill
     * must be complete before the monitor starts. Runs on the calling thread; returns when done.
     */
    static void warm(List<Reading> history, String managerName, Settings settings, OperatorOptions options,
                     MessageHandler target, Sink sink, Listener<Throwable> errors) {
        RetainedState into = RetainedState.of(target);
        try (SyncDispatcher scratch = new SyncDispatcher();
             Operators ops = Operators.in(scratch, local -> managerName + "." + local, options)) {
            Replay replay = new Replay(managerName + ".replay", scratch);
            ops.onErrors(errors);
            build(ops, settings, sink, ops.from(replay, Replay.READING));
            history.forEach(replay::send);
            RetainedState from = RetainedState.of(scratch);
            for (Processor step : ops.processors()) {
                if (from.contains(step.name())) {
                    into.put(step.name(), from.get(step.name(), Object.class, () -> {
                        throw new IllegalStateException("no state under " + step.name());
                    }));
                }
            }
        }
    }

    /** Emits readings into a chain: the history file's into the warm-up chain (and a test's). Not thread-safe. */
    static final class Replay extends Processor {
        static final Event<Reading> READING = Event.of("reading", Reading.class);

        Replay(String name, MessageHandler handler) {
            super(name, handler);
        }

        void send(Reading reading) {
            emit(READING, reading);
        }
    }

    private static Alert staleness(io.pipeline.operators.Alert alert, Duration staleAfter) {
        FeedKey key = (FeedKey) alert.key();
        boolean stale = alert.state() == AlertState.STALE;
        String message = key.location() + " " + key.feed() + (stale
                ? ": no reading for " + Duration.between(alert.since(), alert.time()).toSeconds() + " s"
                : ": readings again");
        return new Alert(alert.time(), key.location(), key.feed(), Alert.Kind.STALE,
                stale ? Alert.State.RAISED : Alert.State.CLEARED, Double.NaN, staleAfter.toSeconds(), message);
    }

    private static Alert threshold(io.pipeline.operators.Alert alert, Threshold rule) {
        SeriesKey key = (SeriesKey) alert.key();
        boolean raised = alert.state() == AlertState.RAISED;
        double limit = raised ? rule.above() : rule.clearBelow();
        String message = String.format(Locale.ROOT, "%s %s %s %s %s", key.location(), key.sensor(),
                number(alert.value()) + " " + key.unit(), raised ? "above" : "back below",
                number(limit) + " " + key.unit());
        return new Alert(alert.time(), key.location(), key.sensor(), Alert.Kind.THRESHOLD,
                raised ? Alert.State.RAISED : Alert.State.CLEARED, alert.value(), limit, message);
    }

    private static Anomaly anomaly(io.pipeline.operators.Anomaly anomaly) {
        SeriesKey key = (SeriesKey) anomaly.key();
        return new Anomaly(anomaly.time(), key.location(), key.sensor(), anomaly.value(), key.unit(),
                anomaly.expected(), anomaly.spread(), anomaly.score());
    }

    /**
     * Joins a reading's trend and statistics into one {@link Stats}. The trend step is subscribed before the
     * statistics step and the handler delivers in order, so a reading's trend point (if the trend step gave one:
     * it gives none for a window of fewer than two times) arrives before its statistics. Used by the delivering
     * thread only.
     */
    private static final class TrendJoin {
        private final Sink sink;
        private TrendPoint last;

        TrendJoin(Sink sink) {
            this.sink = sink;
        }

        void trend(TrendPoint point) {
            last = point;
        }

        void stats(io.pipeline.operators.Stats stats) {
            TrendPoint point = last;
            last = null;
            double slope = point != null && point.key().equals(stats.key()) && point.time().equals(stats.time())
                    ? point.slope() : 0;
            SeriesKey key = (SeriesKey) stats.key();
            sink.stats(new Stats(stats.time(), key.location(), key.sensor(), stats.last(), key.unit(),
                    (int) stats.count(), stats.mean(), stats.stdDev(), slope));
        }
    }

    static String number(double value) {
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : "%.1f", value);
    }
}
