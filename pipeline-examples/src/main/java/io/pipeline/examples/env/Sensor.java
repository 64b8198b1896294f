package io.pipeline.examples.env;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** A quantity Open-Meteo reports under {@code current}, named as in its API. */
enum Sensor {
    TEMPERATURE("temperature_2m", "Temperature", "°C", Feed.WEATHER),
    HUMIDITY("relative_humidity_2m", "Relative humidity", "%", Feed.WEATHER),
    WIND_SPEED("wind_speed_10m", "Wind speed", "km/h", Feed.WEATHER),
    PM2_5("pm2_5", "PM2.5", "μg/m³", Feed.AIR_QUALITY),
    PM10("pm10", "PM10", "μg/m³", Feed.AIR_QUALITY),
    EUROPEAN_AQI("european_aqi", "European AQI", "EAQI", Feed.AIR_QUALITY);

    private final String id;
    private final String label;
    private final String unit;
    private final Feed feed;

    Sensor(String id, String label, String unit, Feed feed) {
        this.id = id;
        this.label = label;
        this.unit = unit;
        this.feed = feed;
    }

    /** The API's variable name, e.g. {@code pm2_5}. */
    String id() {
        return id;
    }

    /** A name for people, e.g. {@code PM2.5}. */
    String label() {
        return label;
    }

    /** The unit Open-Meteo uses by default. */
    String unit() {
        return unit;
    }

    Feed feed() {
        return feed;
    }

    /** The sensor with API name {@code id}. */
    static Optional<Sensor> byId(String id) {
        return Arrays.stream(values()).filter(sensor -> sensor.id.equals(id)).findFirst();
    }

    static List<Sensor> of(Feed feed) {
        return Arrays.stream(values()).filter(sensor -> sensor.feed == feed).toList();
    }
}
