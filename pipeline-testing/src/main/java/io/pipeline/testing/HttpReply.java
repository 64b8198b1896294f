package io.pipeline.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;

/**
 * One scripted reply of a {@link ScriptedHttpEndpoint}: a JSON body, a status, a {@code Retry-After}, an
 * {@code ETag} or a {@code 304}, a delay, a malformed or truncated body, a stall or a dropped connection. Built on
 * OkHttp's {@link MockResponse}; {@link #of(MockResponse)} takes any other.
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public final class HttpReply {
    /** A body that is not valid JSON: an object cut off after its first member. */
    public static final String MALFORMED_JSON = "{\"n\": 1,";

    private final MockResponse response;
    private final String description;

    private HttpReply(MockResponse response, String description) {
        this.response = response;
        this.description = description;
    }

    /** {@code 200 OK} with {@code body} as {@code application/json}. */
    public static HttpReply json(String body) {
        return json(200, body);
    }

    /** {@code status} with {@code body} as {@code application/json}. */
    public static HttpReply json(int status, String body) {
        Objects.requireNonNull(body, "body");
        return new HttpReply(jsonResponse(status, body).build(), status + " " + abbreviate(body));
    }

    /** {@code status} with a small JSON error body. */
    public static HttpReply status(int status) {
        return new HttpReply(jsonResponse(status, "{\"error\":\"scripted status " + status + "\"}").build(),
                String.valueOf(status));
    }

    /** {@code status} (typically 429 or 503) with {@code Retry-After} in whole seconds (rounded up). */
    public static HttpReply retryAfter(int status, Duration wait) {
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("Retry-After wait is negative: " + wait);
        }
        long seconds = wait.toSeconds() + (wait.toNanosPart() == 0 ? 0 : 1);
        return retryAfter(status, Long.toString(seconds));
    }

    /** {@code status} with {@code Retry-After: headerValue}, as given (an HTTP-date, or something malformed). */
    public static HttpReply retryAfter(int status, String headerValue) {
        Objects.requireNonNull(headerValue, "headerValue");
        return new HttpReply(jsonResponse(status, "{\"error\":\"slow down\"}").setHeader("Retry-After", headerValue)
                .build(), status + " Retry-After " + headerValue);
    }

    /** {@code 200 OK} with {@code body} and {@code ETag: etag} (quote it yourself: {@code "\"v1\""}). */
    public static HttpReply jsonWithEtag(String body, String etag) {
        Objects.requireNonNull(etag, "etag");
        return new HttpReply(jsonResponse(200, Objects.requireNonNull(body, "body")).setHeader("ETag", etag).build(),
                "200 ETag " + etag + " " + abbreviate(body));
    }

    /** {@code 304 Not Modified}, no body. */
    public static HttpReply notModified() {
        return new HttpReply(new MockResponse.Builder().code(304).build(), "304");
    }

    /**
     * {@code 200 OK} with {@code body}, its headers sent only after {@code delay} of <em>wall</em> time: network
     * timeouts are measured by OkHttp on the real clock, not on a {@link VirtualTime}.
     */
    public static HttpReply delayed(Duration delay, String body) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay is negative: " + delay);
        }
        return new HttpReply(jsonResponse(200, Objects.requireNonNull(body, "body"))
                .headersDelay(delay.toNanos(), TimeUnit.NANOSECONDS).build(), "200 after " + delay);
    }

    /** {@code 200 OK} with {@link #MALFORMED_JSON} as its body. */
    public static HttpReply malformed() {
        return new HttpReply(jsonResponse(200, MALFORMED_JSON).build(), "200 malformed");
    }

    /**
     * {@code 200 OK} announcing a long JSON body, with the connection closed as the body starts: the client reads
     * the status and headers, then fails reading the body.
     */
    public static HttpReply truncated() {
        String body = "{\"values\":[" + "1,".repeat(50_000) + "1]}";
        return new HttpReply(jsonResponse(200, body).onResponseBody(new SocketEffect.CloseSocket()).build(),
                "200 truncated");
    }

    /** The request is read and never answered: the client times out (in wall time). */
    public static HttpReply stall() {
        return new HttpReply(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build(),
                "stall");
    }

    /**
     * The connection is closed once the request has been read, before any byte of a response: the client fails
     * with an {@link java.io.IOException} and no HTTP status, as for a refused connection. (A truly refused
     * connection needs a port nobody listens on: {@link ScriptedHttpEndpoint#refusedUrl(String)}.)
     */
    public static HttpReply refuse() {
        return new HttpReply(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build(),
                "refused");
    }

    /** Any other response. */
    public static HttpReply of(MockResponse response) {
        Objects.requireNonNull(response, "response");
        return new HttpReply(response, response.toString());
    }

    /** The response mockwebserver3 sends. */
    public MockResponse response() {
        return response;
    }

    private static MockResponse.Builder jsonResponse(int status, String body) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("HTTP status out of range: " + status);
        }
        return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body);
    }

    private static String abbreviate(String body) {
        return body.length() <= 40 ? body : body.substring(0, 37) + "...";
    }

    @Override
    public String toString() {
        return "HttpReply[" + description + "]";
    }
}
