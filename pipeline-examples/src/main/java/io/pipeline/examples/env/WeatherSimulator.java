package io.pipeline.examples.env;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for Open-Meteo on a free loopback port, so that the monitor runs without a network. It answers
 * {@code GET /v1/forecast} and {@code GET /v1/air-quality} with {@code latitude}, {@code longitude} and
 * {@code current=…} in exactly Open-Meteo's shape:
 *
 * <pre>{@code {"latitude": 52.52, "longitude": 13.41, "generationtime_ms": 0.02, "utc_offset_seconds": 0,
 *  "timezone": "GMT", "timezone_abbreviation": "GMT",
 *  "current_units": {"time": "iso8601", "interval": "seconds", "pm2_5": "μg/m³"},
 *  "current": {"time": "2026-12-01T10:15", "interval": 900, "pm2_5": 8.1}}}</pre>
 *
 * <p>Each location and feed is a seeded, mean-reverting random walk with a daily cycle, one step per request;
 * step {@code k} is the measurement of time {@code start + k × step}, so {@code current.time} is new on every
 * request (with seconds, when the step is under a minute). Planted in every cycle of {@value #CYCLE} steps, for
 * every location: a temperature spike of +{@value #SPIKE} °C at step {@value #SPIKE_STEP} (an anomaly), and a
 * PM2.5 episode of +{@value #EPISODE} μg/m³ from step {@value #EPISODE_FIRST} to {@value #EPISODE_LAST} (it
 * crosses the WHO guideline of 15 μg/m³ and clears after). Nothing else comes near the default thresholds.
 * Unknown variables or missing coordinates get Open-Meteo's {@code 400 {"error": true, "reason": …}}.
 *
 * <p>This class is thread-safe. Requests are served one at a time on a thread named {@code weather-simulator}.
 */
final class WeatherSimulator implements AutoCloseable {
    static final int CYCLE = 120;
    static final int SPIKE_STEP = 30;
    static final double SPIKE = 9;
    static final int EPISODE_FIRST = 40;
    static final int EPISODE_LAST = 55;
    static final double EPISODE = 25;

    private static final Map<String, String> UNITS = Map.of(
            "temperature_2m", "°C", "relative_humidity_2m", "%", "wind_speed_10m", "km/h",
            "pm2_5", "μg/m³", "pm10", "μg/m³", "european_aqi", "EAQI");

    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, Station> stations = new ConcurrentHashMap<>();
    private final long seed;
    private final Instant start;
    private final Duration step;

    private WeatherSimulator(long seed, Instant start, Duration step) throws IOException {
        this.seed = seed;
        this.start = start;
        this.step = step;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "weather-simulator");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::serve);
    }

    /**
     * Starts a simulator on a free loopback port.
     *
     * @param seed  seeds every walk: the same seed gives the same values
     * @param clock the first measurement is at its current time, truncated to the second
     * @param step  the time between two measurements of one location and feed
     * @throws UncheckedIOException if no port could be bound
     */
    static WeatherSimulator start(long seed, Clock clock, Duration step) {
        Objects.requireNonNull(clock, "clock");
        if (step.isNegative() || step.isZero()) {
            throw new IllegalArgumentException("step must be positive: " + step);
        }
        try {
            WeatherSimulator simulator = new WeatherSimulator(seed, clock.instant().truncatedTo(
                    java.time.temporal.ChronoUnit.SECONDS), step);
            simulator.server.start();
            return simulator;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded weather simulator on loopback", e);
        }
    }

    /** The base URL to poll, e.g. {@code http://127.0.0.1:41234}, without a trailing slash. */
    String baseUrl() {
        InetSocketAddress address = server.getAddress();
        return "http://" + address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** The time of measurement {@code k} of every station. */
    Instant timeOf(long k) {
        return start.plus(step.multipliedBy(k));
    }

    /** The step whose measurement time is {@code time}. */
    long stepOf(Instant time) {
        return Duration.between(start, time).toNanos() / step.toNanos();
    }

    /** Stops serving and ends the server's thread, waiting up to a few seconds for it. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            Feed feed = path.equals(Feed.WEATHER.path()) ? Feed.WEATHER
                    : path.equals(Feed.AIR_QUALITY.path()) ? Feed.AIR_QUALITY : null;
            if (feed == null || !"GET".equals(exchange.getRequestMethod())) {
                respond(exchange, 404, error("Not Found: " + path));
                return;
            }
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            double latitude;
            double longitude;
            try {
                latitude = Double.parseDouble(query.getOrDefault("latitude", ""));
                longitude = Double.parseDouble(query.getOrDefault("longitude", ""));
            } catch (NumberFormatException e) {
                respond(exchange, 400, error("Parameter 'latitude' and 'longitude' must have the same number of "
                        + "elements"));
                return;
            }
            List<String> variables = List.of(query.getOrDefault("current", "").split(","));
            for (String variable : variables) {
                if (Sensor.byId(variable).filter(sensor -> sensor.feed() == feed).isEmpty()) {
                    respond(exchange, 400, error("Cannot initialize " + (feed == Feed.WEATHER ? "ForecastVariable"
                            : "CamsVariable") + " from invalid String value " + variable + " for key current"));
                    return;
                }
            }
            Station station = stations.computeIfAbsent(feed + "/" + latitude + "/" + longitude,
                    key -> new Station(seed ^ key.hashCode() * 0x9E3779B97F4A7C15L));
            respond(exchange, 200, current(feed, latitude, longitude, variables, station.next(feed, this)));
        }
    }

    private ObjectNode current(Feed feed, double latitude, double longitude, List<String> variables,
                               Measurement measurement) {
        ObjectNode body = mapper.createObjectNode();
        body.put("latitude", latitude).put("longitude", longitude).put("generationtime_ms", 0.02)
                .put("utc_offset_seconds", 0).put("timezone", "GMT").put("timezone_abbreviation", "GMT");
        if (feed == Feed.WEATHER) {
            body.put("elevation", 38.0);
        }
        ObjectNode units = body.putObject("current_units").put("time", "iso8601").put("interval", "seconds");
        ObjectNode current = body.putObject("current")
                .put("time", LocalDateTime.ofInstant(measurement.time, ZoneOffset.UTC).toString())
                .put("interval", Math.max(1, step.toSeconds()));
        for (String variable : variables) {
            units.put(variable, UNITS.get(variable));
            double value = measurement.values.get(variable);
            if (variable.equals("european_aqi") || variable.equals("relative_humidity_2m")) {
                current.put(variable, Math.round(value));
            } else {
                current.put(variable, Math.round(value * 10) / 10.0);
            }
        }
        return body;
    }

    private ObjectNode error(String reason) {
        return mapper.createObjectNode().put("error", true).put("reason", reason);
    }

    private void respond(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    private record Measurement(Instant time, Map<String, Double> values) {}

    /** One location's feed: mean-reverting walks around levels drawn from its seed. Guarded by its monitor. */
    private static final class Station {
        private final SplittableRandom random;
        private final double temperatureLevel;
        private final double humidityLevel;
        private final double windLevel;
        private final double pm25Level;
        private final double pm10Level;
        private double temperature;
        private double humidity;
        private double wind;
        private double pm25;
        private double pm10;
        private long k;

        Station(long seed) {
            random = new SplittableRandom(seed);
            temperatureLevel = 2 + random.nextDouble() * 10;
            humidityLevel = 65 + random.nextDouble() * 20;
            windLevel = 8 + random.nextDouble() * 12;
            pm25Level = 5 + random.nextDouble() * 3;
            pm10Level = 12 + random.nextDouble() * 8;
            temperature = temperatureLevel;
            humidity = humidityLevel;
            wind = windLevel;
            pm25 = pm25Level;
            pm10 = pm10Level;
        }

        synchronized Measurement next(Feed feed, WeatherSimulator simulator) {
            long step = k++;
            Instant time = simulator.timeOf(step);
            double hour = (time.getEpochSecond() % 86_400) / 3600.0;
            double daily = Math.sin(2 * Math.PI * (hour - 9) / 24); // warmest mid-afternoon
            long phase = step % CYCLE;
            Map<String, Double> values = new HashMap<>();
            if (feed == Feed.WEATHER) {
                temperature = revert(temperature, temperatureLevel, 0.15);
                humidity = revert(humidity, humidityLevel, 0.5);
                wind = revert(wind, windLevel, 0.4);
                double spike = phase == SPIKE_STEP ? SPIKE : 0;
                values.put("temperature_2m", temperature + 4 * daily + spike);
                values.put("relative_humidity_2m", clamp(humidity - 10 * daily, 5, 100));
                values.put("wind_speed_10m", Math.max(0, wind));
            } else {
                pm25 = revert(pm25, pm25Level, 0.25);
                pm10 = revert(pm10, pm10Level, 0.4);
                boolean episode = phase >= EPISODE_FIRST && phase <= EPISODE_LAST;
                double fine = Math.max(0.5, pm25 + (episode ? EPISODE : 0));
                double coarse = Math.max(1, pm10 + (episode ? EPISODE / 2 : 0));
                values.put("pm2_5", fine);
                values.put("pm10", coarse);
                values.put("european_aqi", Math.max(fine * 2, coarse));
            }
            return new Measurement(time, values);
        }

        private double revert(double value, double level, double sigma) {
            return value + 0.1 * (level - value) + sigma * random.nextGaussian();
        }

        private static double clamp(double value, double min, double max) {
            return Math.max(min, Math.min(max, value));
        }
    }
}
