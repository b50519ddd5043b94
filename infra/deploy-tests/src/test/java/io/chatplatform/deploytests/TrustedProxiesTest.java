package io.chatplatform.deploytests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * auth-service believes X-Forwarded-For (the address its per-IP sign-in limits count) only from the ingress:
 * in Kubernetes a narrow range for the ingress controller's pods, never the pod network; locally nginx's own
 * loopback address, not every local process.
 */
class TrustedProxiesTest {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})(\\.\\d{1,3}){3}(/(\\d{1,2}))?");

    static List<String> overlays() {
        return Repo.overlays();
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void onlyANarrowRangeForTheIngressControllerIsTrusted(String overlay) {
        List<String> values = new ArrayList<>();
        for (Map<String, Object> cm : Repo.ofKind(overlay, "ConfigMap")) {
            String v = Repo.str(cm, "data", "TRUSTED_PROXIES");
            if (v != null) {
                values.add(v);
            }
        }
        assertFalse(values.isEmpty(), "overlay " + overlay + ": no ConfigMap sets TRUSTED_PROXIES");
        for (String v : values) {
            for (String entry : v.split(",")) {
                Matcher m = IPV4.matcher(entry.trim());
                assertTrue(m.matches(), "overlay " + overlay + ": TRUSTED_PROXIES entry '" + entry + "' is not an IPv4 address or CIDR");
                int prefix = m.group(4) == null ? 32 : Integer.parseInt(m.group(4));
                assertTrue(prefix >= 24, "overlay " + overlay + ": TRUSTED_PROXIES " + entry
                        + " trusts more than the ingress controller's pods (at most a /24)");
            }
        }
    }

    @Test
    void locallyOnlyNginxsOwnAddressIsTrusted() {
        Matcher bind = Pattern.compile("(?m)^\\s*proxy_bind\\s+([0-9.]+);").matcher(Routes.stripComments(Repo.read(Repo.NGINX_TEMPLATE)));
        assertTrue(bind.find(), "nginx connects to the services from an address of its own (proxy_bind)");
        String nginx = bind.group(1);
        assertFalse(nginx.equals("127.0.0.1"), "127.0.0.1 is every local process's address");
        Matcher run = Pattern.compile("TRUSTED_PROXIES=\\$\\{TRUSTED_PROXIES:-([^}]*)}")
                .matcher(Repo.read(Repo.ROOT.resolve("infra/local/run.sh")));
        assertTrue(run.find(), "run.sh sets TRUSTED_PROXIES");
        assertEquals(nginx, run.group(1), "run.sh trusts nginx's proxy_bind address only");
        String dflt = Repo.prodProperties("auth-service").getProperty("quarkus.http.proxy.trusted-proxies");
        assertNotNull(dflt, "auth-service sets quarkus.http.proxy.trusted-proxies");
        assertEquals("${TRUSTED_PROXIES:" + nginx + "}", dflt.trim(), "auth-service's default is the local nginx");
    }
}
