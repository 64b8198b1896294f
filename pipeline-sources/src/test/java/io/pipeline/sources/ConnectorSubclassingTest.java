package io.pipeline.sources;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The connectors' one rule for subclasses (see the package documentation): a connector is final, unless users
 * subclass it for a hook; then only its documented protected hooks and the stall watchdog's two methods can be
 * overridden, and everything else it has — inherited methods included — is final.
 */
class ConnectorSubclassingTest {
    private static final List<String> WATCHDOG_HOOKS = List.of("expectedInterval()", "restartWhenStalled()");

    @Test
    void sseSource_isFinal() {
        assertThat(Modifier.isFinal(SseSource.class.getModifiers())).isTrue();
    }

    @Test
    void restSource_canOverrideOnly_buildRequest_parse_andTheWatchdogHooks() {
        assertThat(overridable(RestSource.class)).containsExactlyInAnyOrderElementsOf(
                with(WATCHDOG_HOOKS, "buildRequest()", "parse(byte[])"));
    }

    @Test
    void webSocketSource_canOverrideOnly_onConnect_onText_parse_andTheWatchdogHooks() {
        assertThat(overridable(WebSocketSource.class)).containsExactlyInAnyOrderElementsOf(
                with(WATCHDOG_HOOKS, "onConnect(WebSocket)", "onText(String)", "parse(String)"));
    }

    @Test
    void theHooks_areProtected_butTheWatchdogHooks_arePublicAsInSource() throws Exception {
        assertThat(Modifier.isProtected(RestSource.class.getDeclaredMethod("buildRequest").getModifiers())).isTrue();
        assertThat(Modifier.isProtected(RestSource.class.getDeclaredMethod("parse", byte[].class).getModifiers()))
                .isTrue();
        assertThat(Modifier.isProtected(WebSocketSource.class.getDeclaredMethod("onText", String.class)
                .getModifiers())).isTrue();
        assertThat(Modifier.isPublic(RestSource.class.getMethod("expectedInterval").getModifiers())).isTrue();
    }

    private static List<String> with(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

    /** The methods a subclass in another package could override, inherited ones included, as name(Params). */
    private static List<String> overridable(Class<?> type) {
        Set<String> seen = new HashSet<>();
        List<String> open = new ArrayList<>();
        for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                int mod = m.getModifiers();
                if (m.isSynthetic() || m.isBridge() || Modifier.isStatic(mod) || Modifier.isPrivate(mod)) {
                    continue;
                }
                String signature = signature(m);
                if (!seen.add(signature)) {
                    continue; // overridden lower down: the lowest declaration decides
                }
                boolean visible = Modifier.isPublic(mod) || Modifier.isProtected(mod);
                if (visible && !Modifier.isFinal(mod)) {
                    open.add(signature);
                }
            }
        }
        return open;
    }

    private static String signature(Method m) {
        StringBuilder s = new StringBuilder(m.getName()).append('(');
        Class<?>[] params = m.getParameterTypes();
        for (int i = 0; i < params.length; i++) {
            s.append(i == 0 ? "" : ",").append(params[i].getSimpleName());
        }
        return s.append(')').toString();
    }
}
