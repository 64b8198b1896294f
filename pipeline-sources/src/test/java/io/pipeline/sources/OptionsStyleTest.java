package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** The three sources' options follow one style: immutable copies, one meaning of withHeader, no nulls. */
class OptionsStyleTest {
    /** One source's options, seen through what they have in common. */
    private record Kind<O>(String name, O defaults, Style<O> style) {}

    private interface Style<O> {
        O withHeader(O options, String name, String value);

        Headers headers(O options);

        List<String> headerNames(O options);

        O withClient(O options, OkHttpClient client);

        O withClock(O options, Clock clock);

        O withExceptionThreshold(O options, int threshold);

        int exceptionThreshold(O options);
    }

    private static final Kind<RestSource.Options> REST = new Kind<>("RestSource", RestSource.Options.defaults(),
            new Style<>() {
                public RestSource.Options withHeader(RestSource.Options o, String n, String v) {
                    return o.withHeader(n, v);
                }

                public Headers headers(RestSource.Options o) {
                    return o.headers();
                }

                public List<String> headerNames(RestSource.Options o) {
                    return o.headerNames();
                }

                public RestSource.Options withClient(RestSource.Options o, OkHttpClient c) {
                    return o.withClient(c);
                }

                public RestSource.Options withClock(RestSource.Options o, Clock c) {
                    return o.withClock(c);
                }

                public RestSource.Options withExceptionThreshold(RestSource.Options o, int t) {
                    return o.withExceptionThreshold(t);
                }

                public int exceptionThreshold(RestSource.Options o) {
                    return o.exceptionThreshold();
                }
            });

    private static final Kind<SseSource.Options> SSE = new Kind<>("SseSource", SseSource.Options.defaults(),
            new Style<>() {
                public SseSource.Options withHeader(SseSource.Options o, String n, String v) {
                    return o.withHeader(n, v);
                }

                public Headers headers(SseSource.Options o) {
                    return o.headers();
                }

                public List<String> headerNames(SseSource.Options o) {
                    return o.headerNames();
                }

                public SseSource.Options withClient(SseSource.Options o, OkHttpClient c) {
                    return o.withClient(c);
                }

                public SseSource.Options withClock(SseSource.Options o, Clock c) {
                    return o.withClock(c);
                }

                public SseSource.Options withExceptionThreshold(SseSource.Options o, int t) {
                    return o.withExceptionThreshold(t);
                }

                public int exceptionThreshold(SseSource.Options o) {
                    return o.exceptionThreshold();
                }
            });

    private static final Kind<WebSocketSource.Options> WEB_SOCKET = new Kind<>("WebSocketSource",
            WebSocketSource.Options.defaults(), new Style<>() {
                public WebSocketSource.Options withHeader(WebSocketSource.Options o, String n, String v) {
                    return o.withHeader(n, v);
                }

                public Headers headers(WebSocketSource.Options o) {
                    return o.headers();
                }

                public List<String> headerNames(WebSocketSource.Options o) {
                    return o.headerNames();
                }

                public WebSocketSource.Options withClient(WebSocketSource.Options o, OkHttpClient c) {
                    return o.withClient(c);
                }

                public WebSocketSource.Options withClock(WebSocketSource.Options o, Clock c) {
                    return o.withClock(c);
                }

                public WebSocketSource.Options withExceptionThreshold(WebSocketSource.Options o, int t) {
                    return o.withExceptionThreshold(t);
                }

                public int exceptionThreshold(WebSocketSource.Options o) {
                    return o.exceptionThreshold();
                }
            });

    @Test
    void withHeader_sameNameInAnyCase_replacesTheEarlierValue_inAllThree() {
        for (Kind<?> kind : List.of(REST, SSE, WEB_SOCKET)) {
            assertHeaderReplaced(kind);
        }
    }

    @Test
    void withX_returnsAChangedCopy_andLeavesTheOriginalAsItWas_inAllThree() {
        for (Kind<?> kind : List.of(REST, SSE, WEB_SOCKET)) {
            assertCopies(kind);
        }
    }

    @Test
    void nullArguments_areRefusedNamingTheParameter_inAllThree() {
        for (Kind<?> kind : List.of(REST, SSE, WEB_SOCKET)) {
            assertNullsRefused(kind);
        }
    }

    @Test
    void defaults_haveNoNullAccessor() {
        RestSource.Options rest = RestSource.Options.defaults();
        assertThat(List.<Object>of(rest.client(), rest.objectMapper(), rest.scheduler(), rest.clock(),
                rest.random(), rest.headers())).doesNotContainNull();
        SseSource.Options sse = SseSource.Options.defaults();
        assertThat(sse.client()).isEmpty();
        assertThat(sse.scheduler()).isEmpty();
        assertThat(sse.expectedInterval()).isEmpty();
        WebSocketSource.Options ws = WebSocketSource.Options.defaults();
        assertThat(ws.client()).isEmpty();
        assertThat(ws.objectMapper()).isEmpty();
        assertThat(ws.scheduler()).isEmpty();
        assertThat(ws.expectedInterval()).isEmpty();
        assertThat(List.<Object>of(sse.clock(), sse.random(), sse.headers(), ws.clock(), ws.random(), ws.headers()))
                .doesNotContainNull();
    }

    private static <O> void assertHeaderReplaced(Kind<O> kind) {
        Style<O> style = kind.style();
        O options = style.withHeader(style.withHeader(style.withHeader(kind.defaults(), "X-Api-Key", "first"),
                "Accept-Language", "en"), "x-api-key", "second");

        assertThat(style.headers(options).values("X-Api-Key")).as(kind.name()).containsExactly("second");
        assertThat(style.headerNames(options)).as(kind.name()).hasSize(2);
        assertThat(style.headers(options).get("Accept-Language")).as(kind.name()).isEqualTo("en");
    }

    private static <O> void assertCopies(Kind<O> kind) {
        Style<O> style = kind.style();
        O original = kind.defaults();
        int threshold = style.exceptionThreshold(original);

        O changed = style.withExceptionThreshold(original, threshold + 7);
        O withHeader = style.withHeader(original, "X-Trace", "1");

        assertThat(changed).as(kind.name()).isNotSameAs(original);
        assertThat(style.exceptionThreshold(changed)).as(kind.name()).isEqualTo(threshold + 7);
        assertThat(style.exceptionThreshold(original)).as(kind.name()).isEqualTo(threshold);
        assertThat(style.headerNames(withHeader)).as(kind.name()).containsExactly("X-Trace");
        assertThat(style.headerNames(original)).as(kind.name()).isEmpty();
    }

    private static <O> void assertNullsRefused(Kind<O> kind) {
        Style<O> style = kind.style();
        O options = kind.defaults();
        List<Function<O, O>> nulls = List.of(
                o -> style.withClient(o, null),
                o -> style.withClock(o, null),
                o -> style.withHeader(o, null, "v"),
                o -> style.withHeader(o, "X-Name", null));
        for (Function<O, O> call : nulls) {
            assertThatThrownBy(() -> call.apply(options)).as(kind.name())
                    .isInstanceOfAny(NullPointerException.class, IllegalArgumentException.class);
        }
    }
}
