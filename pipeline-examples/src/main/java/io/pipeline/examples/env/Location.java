package io.pipeline.examples.env;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A place to monitor: a name and WGS84 coordinates.
 *
 * @param name      shown on the page and the console; letters, digits, spaces, {@code . _ -}
 * @param latitude  -90 to 90
 * @param longitude -180 to 180
 */
record Location(String name, double latitude, double longitude) {
    // Before DEFAULTS: the constructor needs it.
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} ._\\-]{1,40}");
    private static final Pattern SPEC = Pattern.compile("\\s*([^=]+?)\\s*=\\s*(-?[0-9.]+)\\s*,\\s*(-?[0-9.]+)\\s*");

    /** The three cities monitored when no {@code --location} is given. */
    static final List<Location> DEFAULTS = List.of(
            new Location("Berlin", 52.52, 13.41),
            new Location("London", 51.51, -0.13),
            new Location("Delhi", 28.61, 77.21));

    Location {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("location name must be 1 to 40 letters, digits, spaces or . _ -: '"
                    + name + "'");
        }
        if (!(latitude >= -90 && latitude <= 90)) {
            throw new IllegalArgumentException("latitude not within -90..90: " + latitude);
        }
        if (!(longitude >= -180 && longitude <= 180)) {
            throw new IllegalArgumentException("longitude not within -180..180: " + longitude);
        }
    }

    /**
     * Reads {@code NAME=LAT,LON}, e.g. {@code Paris=48.85,2.35}.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    static Location parse(String spec) {
        Matcher matcher = SPEC.matcher(spec);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + spec + "' is not NAME=LATITUDE,LONGITUDE, e.g. Paris=48.85,2.35");
        }
        try {
            return new Location(matcher.group(1), Double.parseDouble(matcher.group(2)),
                    Double.parseDouble(matcher.group(3)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "' has a coordinate that is not a number");
        }
    }

    /** The name in manager names: lower case, spaces and dots replaced. */
    String key() {
        return name.toLowerCase(Locale.ROOT).replaceAll("[ .]", "_");
    }
}
