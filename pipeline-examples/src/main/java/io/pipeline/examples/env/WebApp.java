package io.pipeline.examples.env;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The page and its JSON endpoints, mounted at {@code /} on the server of the monitor's {@code SseOutput} (which
 * serves the live events at {@code /events}):
 *
 * <ul>
 *   <li>{@code GET /} — the dashboard ({@code index.html}, {@code app.js}, {@code app.css} from the jar);
 *   <li>{@code GET /api/config} — the locations, the sensors with their units and thresholds, the interval;
 *   <li>{@code GET /api/series?location=L&sensor=S&range=15m|1h|6h|24h&agg=raw|1m|5m} — the points of one chart
 *       (time, value, rolling mean and standard deviation) and its anomalies, over the range before the series'
 *       latest reading;
 *   <li>{@code GET /api/alerts} — the last 200 alerts, newest first.
 * </ul>
 *
 * <p>A bad parameter is a {@code 400} naming it. This class is thread-safe; it runs on the server's threads.
 */
final class WebApp implements HttpHandler {
    private static final String RESOURCES = "/io/pipeline/examples/env/web/";
    private static final Map<String, String> FILES = Map.of(
            "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/app.css", "app.css");
    private static final Map<String, Duration> RANGES = Map.of(
            "15m", Duration.ofMinutes(15), "1h", Duration.ofHours(1), "6h", Duration.ofHours(6),
            "24h", Duration.ofHours(24));

    private final History history;
    private final ObjectMapper mapper;
    private final byte[] config;

    WebApp(History history, ObjectMapper mapper, MonitorConfig monitor) {
        this.history = Objects.requireNonNull(history, "history");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.config = config(mapper, monitor);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "text/plain", bytes("GET only"));
            } else if (FILES.containsKey(path)) {
                serveFile(exchange, FILES.get(path));
            } else if (path.equals("/api/config")) {
                respond(exchange, 200, "application/json", config);
            } else if (path.equals("/api/alerts")) {
                respond(exchange, 200, "application/json", mapper.writeValueAsBytes(history.alerts(200)));
            } else if (path.equals("/api/series")) {
                try {
                    respond(exchange, 200, "application/json", series(query(exchange.getRequestURI().getRawQuery())));
                } catch (IllegalArgumentException e) {
                    respond(exchange, 400, "text/plain", bytes(e.getMessage()));
                }
            } else {
                respond(exchange, 404, "text/plain", bytes("not found: " + path));
            }
        }
    }

    private byte[] series(Map<String, String> query) throws IOException {
        String location = required(query, "location");
        String sensor = required(query, "sensor");
        Sensor known = Sensor.byId(sensor).orElseThrow(() -> new IllegalArgumentException("unknown sensor: " + sensor));
        Duration range = RANGES.get(query.getOrDefault("range", "1h"));
        if (range == null) {
            throw new IllegalArgumentException("range must be 15m, 1h, 6h or 24h: '" + query.get("range") + "'");
        }
        History.Aggregation aggregation = History.Aggregation.parse(query.getOrDefault("agg", "raw"));
        List<History.Point> points = history.points(location, sensor, range, aggregation);
        Instant from = points.isEmpty() ? Instant.MAX : points.get(0).t();
        ObjectNode body = mapper.createObjectNode()
                .put("location", location).put("sensor", sensor).put("unit", known.unit())
                .put("range", query.getOrDefault("range", "1h")).put("agg", query.getOrDefault("agg", "raw"));
        body.set("points", mapper.valueToTree(points));
        body.set("anomalies", mapper.valueToTree(history.anomalies(location, sensor, from)));
        return mapper.writeValueAsBytes(body);
    }

    private static byte[] config(ObjectMapper mapper, MonitorConfig monitor) {
        ObjectNode body = mapper.createObjectNode();
        body.set("locations", mapper.valueToTree(monitor.locations()));
        ArrayNode sensors = body.putArray("sensors");
        for (Sensor sensor : Sensor.values()) {
            ObjectNode node = sensors.addObject().put("id", sensor.id()).put("label", sensor.label())
                    .put("unit", sensor.unit()).put("feed", sensor.feed().id());
            monitor.thresholds().stream().filter(t -> t.sensor().equals(sensor.id())).findFirst()
                    .ifPresent(t -> node.put("above", t.above()).put("clearBelow", t.clearBelow()));
        }
        body.put("intervalSeconds", monitor.interval().toMillis() / 1000.0);
        body.put("source", monitor.embedded() ? "embedded simulator" : monitor.baseUrl() == null ? "Open-Meteo"
                : monitor.baseUrl());
        try {
            return mapper.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void serveFile(HttpExchange exchange, String name) throws IOException {
        try (InputStream in = WebApp.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                respond(exchange, 404, "text/plain", bytes("missing from the jar: " + name));
                return;
            }
            String type = name.endsWith(".html") ? "text/html" : name.endsWith(".js") ? "text/javascript" : "text/css";
            respond(exchange, 200, type, in.readAllBytes());
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String required(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing parameter: " + name);
        }
        return value;
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

    private static byte[] bytes(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
