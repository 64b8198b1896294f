package io.pipeline.examples.env;

import io.pipeline.core.Event;
import io.pipeline.core.MessageHandler;
import io.pipeline.core.Processor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The monitor's analytics, behind one small interface: {@link #accept(Reading)} takes a reading in; out come
 * {@link #STATS} (one per reading: rolling mean, standard deviation and trend per hour), {@link #ANOMALY} (a
 * z-score beyond the limit, measured against the window before the reading) and {@link #ALERT} (thresholds with
 * hysteresis; staleness, checked by {@link #checkStale()}). The computations are deliberately simple — a window of
 * the last readings per series, updated with Welford's method — so that this class can later be replaced by the
 * library's operators without changing its callers.
 *
 * <p>This class is thread-safe: computation happens under its lock, emission after it is released. Listeners run
 * where the handler says.
 */
final class Analytics extends Processor {
    static final Event<Stats> STATS = Event.of("stats", Stats.class);
    static final Event<Anomaly> ANOMALY = Event.of("anomaly", Anomaly.class);
    static final Event<Alert> ALERT = Event.of("alert", Alert.class);

    /**
     * The analytics' settings.
     *
     * @param window     readings per series in the rolling window
     * @param zLimit     |z| at or above which a reading is an anomaly
     * @param minCount   readings needed in the window before anomalies are looked for
     * @param thresholds the alert rules
     * @param staleAfter a feed of a location with no reading for longer is stale
     */
    record Settings(int window, double zLimit, int minCount, List<Threshold> thresholds, Duration staleAfter) {
        Settings {
            if (window < 2) {
                throw new IllegalArgumentException("window < 2: " + window);
            }
            if (minCount < 2 || minCount > window) {
                throw new IllegalArgumentException("minCount not within 2..window: " + minCount);
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

    /** What one reading produced. */
    record Result(Stats stats, Optional<Anomaly> anomaly, List<Alert> alerts) {}

    private final Settings settings;
    private final Clock clock;
    private final Object lock = new Object();
    private final Map<String, Series> series = new HashMap<>(); // guarded by lock
    private final Map<String, Feeds> feeds = new HashMap<>(); // guarded by lock, by location/feed

    Analytics(String name, MessageHandler handler, Settings settings, Clock clock) {
        super(name, handler);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    Settings settings() {
        return settings;
    }

    /** Takes one reading in and emits its statistics, an anomaly if it is one, and the alerts it raised or cleared. */
    void accept(Reading reading) {
        Result result = compute(reading);
        result.alerts().stream().filter(alert -> alert.kind() == Alert.Kind.STALE).forEach(alert -> emit(ALERT, alert));
        emit(STATS, result.stats());
        result.anomaly().ifPresent(anomaly -> emit(ANOMALY, anomaly));
        result.alerts().stream().filter(alert -> alert.kind() != Alert.Kind.STALE).forEach(alert -> emit(ALERT, alert));
    }

    /** Takes one reading of the history in, warming the state up, and returns what it produced without emitting. */
    Result warm(Reading reading) {
        return compute(reading);
    }

    /** Emits a staleness alert for every feed of a location that has gone quiet for longer than allowed. */
    void checkStale() {
        Instant now = clock.instant();
        List<Alert> raised = new ArrayList<>();
        synchronized (lock) {
            for (Map.Entry<String, Feeds> entry : feeds.entrySet()) {
                Feeds feed = entry.getValue();
                if (!feed.stale && Duration.between(feed.lastArrival, now).compareTo(settings.staleAfter()) > 0) {
                    feed.stale = true;
                    raised.add(new Alert(now, feed.location, feed.feed, Alert.Kind.STALE, Alert.State.RAISED, Double.NaN,
                            settings.staleAfter().toSeconds(), feed.location + " " + feed.feed + ": no reading for "
                            + Duration.between(feed.lastArrival, now).toSeconds() + " s"));
                }
            }
        }
        raised.forEach(alert -> emit(ALERT, alert));
    }

    private Result compute(Reading reading) {
        Objects.requireNonNull(reading, "reading");
        Instant now = clock.instant();
        List<Alert> alerts = new ArrayList<>(1);
        synchronized (lock) {
            String feedId = Sensor.byId(reading.sensor()).map(sensor -> sensor.feed().id()).orElse(reading.sensor());
            Feeds feed = feeds.computeIfAbsent(reading.location() + "/" + feedId,
                    key -> new Feeds(reading.location(), feedId));
            feed.lastArrival = now;
            if (feed.stale) {
                feed.stale = false;
                alerts.add(new Alert(now, reading.location(), feedId, Alert.Kind.STALE, Alert.State.CLEARED,
                        Double.NaN, settings.staleAfter().toSeconds(), reading.location() + " " + feedId
                        + ": readings again"));
            }
            Series s = series.computeIfAbsent(reading.location() + "/" + reading.sensor(), key -> new Series());
            Anomaly anomaly = null;
            if (s.count() >= settings.minCount() && s.std() > 1e-9) {
                double z = (reading.value() - s.mean()) / s.std();
                if (Math.abs(z) >= settings.zLimit()) {
                    anomaly = new Anomaly(reading.time(), reading.location(), reading.sensor(), reading.value(),
                            reading.unit(), s.mean(), s.std(), z);
                }
            }
            s.add(reading.time(), reading.value(), settings.window());
            Stats stats = new Stats(reading.time(), reading.location(), reading.sensor(), reading.value(),
                    reading.unit(), s.count(), s.mean(), s.std(), s.trendPerHour());
            for (Threshold rule : settings.thresholds()) {
                if (rule.sensor().equals(reading.sensor())) {
                    s.crossing(rule, reading).ifPresent(alerts::add);
                }
            }
            return new Result(stats, Optional.ofNullable(anomaly), List.copyOf(alerts));
        }
    }

    /** When a feed of a location last delivered. Guarded by the analytics' lock. */
    private static final class Feeds {
        final String location;
        final String feed;
        Instant lastArrival;
        boolean stale;

        Feeds(String location, String feed) {
            this.location = location;
            this.feed = feed;
        }
    }

    /**
     * One location's sensor: the window of its last readings with their running mean and sum of squared
     * deviations (Welford, with removal), and which thresholds are raised. Guarded by the analytics' lock.
     */
    private static final class Series {
        private final ArrayDeque<double[]> window = new ArrayDeque<>(); // {epoch seconds, value}
        private final Map<Threshold, Boolean> raised = new HashMap<>();
        private double mean;
        private double m2;

        int count() {
            return window.size();
        }

        double mean() {
            return mean;
        }

        double std() {
            return window.size() < 2 ? 0 : Math.sqrt(Math.max(0, m2) / (window.size() - 1));
        }

        void add(Instant time, double value, int capacity) {
            if (window.size() == capacity) {
                double old = window.removeFirst()[1];
                int n = window.size();
                if (n == 0) {
                    mean = 0;
                    m2 = 0;
                } else {
                    double delta = old - mean;
                    mean -= delta / n;
                    m2 -= delta * (old - mean);
                }
            }
            window.addLast(new double[] {time.getEpochSecond() + time.getNano() / 1e9, value});
            double delta = value - mean;
            mean += delta / window.size();
            m2 += delta * (value - mean);
        }

        /** The least-squares slope of value over time, per hour. */
        double trendPerHour() {
            int n = window.size();
            if (n < 2) {
                return 0;
            }
            double t0 = window.getFirst()[0];
            double sumT = 0;
            double sumV = 0;
            for (double[] point : window) {
                sumT += point[0] - t0;
                sumV += point[1];
            }
            double meanT = sumT / n;
            double meanV = sumV / n;
            double cov = 0;
            double var = 0;
            for (double[] point : window) {
                double dt = point[0] - t0 - meanT;
                cov += dt * (point[1] - meanV);
                var += dt * dt;
            }
            return var == 0 ? 0 : cov / var * 3600;
        }

        Optional<Alert> crossing(Threshold rule, Reading reading) {
            boolean up = raised.getOrDefault(rule, false);
            if (!up && reading.value() > rule.above()) {
                raised.put(rule, true);
                return Optional.of(alert(rule, reading, Alert.State.RAISED, rule.above(), "above"));
            }
            if (up && reading.value() < rule.clearBelow()) {
                raised.put(rule, false);
                return Optional.of(alert(rule, reading, Alert.State.CLEARED, rule.clearBelow(), "back below"));
            }
            return Optional.empty();
        }

        private static Alert alert(Threshold rule, Reading reading, Alert.State state, double limit, String words) {
            String message = String.format(Locale.ROOT, "%s %s %s %s %s", reading.location(), reading.sensor(),
                    number(reading.value()) + " " + reading.unit(), words, number(limit) + " " + reading.unit());
            return new Alert(reading.time(), reading.location(), reading.sensor(), Alert.Kind.THRESHOLD, state,
                    reading.value(), limit, message);
        }
    }

    static String number(double value) {
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : "%.1f", value);
    }
}
