package io.chatplatform.deploytests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.chatplatform.deploytests.Routes.Location;
import io.chatplatform.deploytests.Routes.Route;

/** The Ingress of every overlay routes exactly like infra/nginx/nginx.conf.template. */
class IngressRoutesTest {

    /**
     * nginx locations that answer by themselves (no proxy_pass), with where such requests go in
     * Kubernetes. `/api/` returns a 404 problem in nginx; in the cluster an unknown /api path falls to
     * `/` (relay-service), which answers 404 as well. A new self-answering location must be added here
     * knowingly, with its Kubernetes counterpart.
     */
    static final Map<String, String> SELF_ANSWERING_IN_NGINX = Map.of("Prefix /api/", "falls to / (relay-service): 404",
            // relay-service's HTTP port serves no /q/ route: health, metrics and OpenAPI are on its management port
            "Prefix /q/", "falls to / (relay-service): 404 (see noQRouteButHealthAndMetricsOnlyFromTheManagementPort)");

    static List<String> overlays() {
        return Repo.overlays();
    }

    static List<Location> nginx() {
        return Routes.nginxLocations(Repo.read(Repo.NGINX_TEMPLATE));
    }

    static Set<Route> nginxRoutes() {
        return nginx().stream().map(Location::route).filter(r -> r.service() != null)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    static Set<Route> ingressRoutes(String overlay) {
        Set<Route> routes = new LinkedHashSet<>();
        for (Map<String, Object> ing : Repo.ofKind(overlay, "Ingress")) {
            routes.addAll(Routes.ingressRoutes(ing));
        }
        return routes;
    }

    /** Fails naming every route one side has and the other lacks. */
    static void assertSameRoutes(Set<Route> nginx, Set<Route> ingress, String overlay) {
        Set<Route> missing = new LinkedHashSet<>(nginx);
        missing.removeAll(ingress);
        Set<Route> extra = new LinkedHashSet<>(ingress);
        extra.removeAll(nginx);
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add("routes of infra/nginx/nginx.conf.template missing from the Ingress of overlay " + overlay
                    + ":\n" + Routes.describe(missing));
        }
        if (!extra.isEmpty()) {
            problems.add("routes of the Ingress of overlay " + overlay
                    + " that infra/nginx/nginx.conf.template does not have:\n" + Routes.describe(extra));
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void ingressRoutesAreExactlyTheNginxRoutes(String overlay) {
        assertSameRoutes(nginxRoutes(), ingressRoutes(overlay), overlay);
    }

    @Test
    void nginxLocationsThatAnswerThemselvesAreKnown() {
        List<String> unknown = nginx().stream().map(Location::route).filter(r -> r.service() == null)
                .map(r -> r.match() + " " + r.path()).filter(k -> !SELF_ANSWERING_IN_NGINX.containsKey(k)).toList();
        assertTrue(unknown.isEmpty(), "nginx locations without proxy_pass that the Ingress does not account for: "
                + unknown + " (add them to SELF_ANSWERING_IN_NGINX with their Kubernetes behaviour)");
    }

    /**
     * nginx drops every server-level proxy_set_header in a location that sets one of its own: such a
     * location (the WebSocket one) must repeat them, or the services lose the client IP and Host.
     */
    @Test
    void locationsSettingHeadersRepeatTheForwardingHeaders() {
        String outside = Routes.stripComments(Repo.read(Repo.NGINX_TEMPLATE))
                .replaceAll("(?s)location\\s[^{]*\\{[^}]*\\}", "");
        Matcher m = Pattern.compile("proxy_set_header\\s+(\\S+)").matcher(outside);
        Set<String> serverHeaders = new LinkedHashSet<>();
        while (m.find()) {
            serverHeaders.add("proxy_set_header " + m.group(1));
        }
        assertTrue(serverHeaders.contains("proxy_set_header X-Forwarded-For"), "server-level headers: " + serverHeaders);
        List<String> problems = new ArrayList<>();
        for (Location loc : nginx()) {
            boolean ownHeaders = loc.directives().keySet().stream().anyMatch(k -> k.startsWith("proxy_set_header "));
            if (!ownHeaders) {
                continue;
            }
            for (String h : serverHeaders) {
                // Connection is replaced on purpose by the upgrade value
                if (!h.endsWith(" Connection") && !loc.directives().containsKey(h)) {
                    problems.add(loc.route() + " lacks " + h);
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** The comparison itself can fail: a route dropped from one side is reported by name. */
    @Test
    void aMissingRouteIsReportedByName() {
        Set<Route> nginx = nginxRoutes();
        Route ws = nginx.stream().filter(r -> r.path().equals("/ws/")).findFirst()
                .orElseThrow(() -> new AssertionError("the nginx template has no /ws/ route"));
        Set<Route> withoutWs = new LinkedHashSet<>(nginx);
        withoutWs.remove(ws);
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> assertSameRoutes(nginx, withoutWs, "self-test"));
        assertTrue(e.getMessage().contains("missing from the Ingress") && e.getMessage().contains("Prefix /ws/ -> relay-service"),
                e.getMessage());
        Set<Route> withExtra = new LinkedHashSet<>(nginx);
        withExtra.add(new Route("Prefix", "/api/admin/", "auth-service", "http", null));
        e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> assertSameRoutes(nginx, withExtra, "self-test"));
        assertTrue(e.getMessage().contains("does not have") && e.getMessage().contains("/api/admin/"), e.getMessage());
    }

    /**
     * The Ingress routes no /q/ path but the named health ones (README "Security"), each to the management port
     * of its service, and no other route reaches a management port; the catch-all's service (relay-service) and
     * every other service have the management interface on, so their HTTP ports, which the Ingress does route,
     * serve no /q/ path; the ServiceMonitor scrapes that management port.
     */
    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void noQRouteButHealthAndMetricsOnlyFromTheManagementPort(String overlay) {
        Pattern health = Pattern.compile("/q/(auth|session|chat|relay)/\\(health\\(/live\\|/ready\\)\\?\\)\\$");
        List<String> problems = new ArrayList<>();
        for (Route r : ingressRoutes(overlay)) {
            boolean q = r.path().startsWith("/q");
            boolean namedHealth = r.match().equals("Regex") && health.matcher(r.path()).matches();
            if (q && !namedHealth) {
                problems.add("a /q/ route beyond the named health paths: " + r);
            }
            if (namedHealth && !(r.port().equals("management") && r.service().startsWith(health.matcher(r.path())
                    .replaceFirst("$1") + "-"))) {
                problems.add("a health route not to its own service's management port: " + r);
            }
            if (!q && r.port().equals("management")) {
                problems.add("a route to a management port: " + r);
            }
        }
        for (String service : Repo.SERVICES) {
            assertTrue(Repo.managementPort(service) != Repo.httpPort(service), service + ": management port = HTTP port");
        }
        for (Map<String, Object> sm : Repo.ofKind(overlay, "ServiceMonitor")) {
            for (Object endpoint : Repo.list(sm, "spec", "endpoints")) {
                if (!"management".equals(Repo.str(endpoint, "port"))) {
                    problems.add("ServiceMonitor " + Repo.str(sm, "metadata", "name") + " scrapes port " + Repo.str(endpoint, "port"));
                }
            }
        }
        assertTrue(problems.isEmpty(), "overlay " + overlay + ":\n" + String.join("\n", problems));
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void timeoutsBufferingAndBodySizeMatchNginx(String overlay) {
        String bodySize = Routes.nginxGlobal(Repo.read(Repo.NGINX_TEMPLATE), "client_max_body_size");
        List<String> problems = new ArrayList<>();
        for (Location loc : nginx()) {
            if (loc.route().service() == null) {
                continue;
            }
            Map<String, Object> ing = ingressHolding(overlay, loc.route());
            String name = Repo.str(ing, "metadata", "name");
            // nginx and ingress-nginx both default to 60 s
            for (String[] pair : new String[][] { { "proxy_read_timeout", "proxy-read-timeout" },
                    { "proxy_send_timeout", "proxy-send-timeout" } }) {
                String want = seconds(loc.directives().getOrDefault(pair[0], "60s"));
                String got = annotation(ing, pair[1], "60");
                if (!want.equals(got)) {
                    problems.add(loc.route() + ": nginx " + pair[0] + " " + want + "s, Ingress " + name + " " + pair[1] + " " + got);
                }
            }
            if ("off".equals(loc.directives().get("proxy_buffering")) && !"off".equals(annotation(ing, "proxy-buffering", "on"))) {
                problems.add(loc.route() + ": nginx turns proxy_buffering off, Ingress " + name + " does not");
            }
            if (loc.directives().containsKey("proxy_set_header Upgrade")) {
                // ingress-nginx passes Upgrade/Connection by default: only the long timeouts are needed
                assertEquals("3600", annotation(ing, "proxy-read-timeout", "60"), "WebSocket route " + loc.route());
            }
        }
        for (Map<String, Object> ing : Repo.ofKind(overlay, "Ingress")) {
            String got = annotation(ing, "proxy-body-size", "1m");
            if (bodySize != null && !bodySize.equalsIgnoreCase(got)) {
                problems.add("Ingress " + Repo.str(ing, "metadata", "name") + ": proxy-body-size " + got
                        + ", nginx client_max_body_size " + bodySize);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void regexRoutesAreMarkedAsRegexAndOneHostServesAll(String overlay) {
        Set<String> hosts = new LinkedHashSet<>();
        for (Map<String, Object> ing : Repo.ofKind(overlay, "Ingress")) {
            String name = Repo.str(ing, "metadata", "name");
            assertEquals("nginx", Repo.str(ing, "spec", "ingressClassName"), "ingressClassName of " + name);
            boolean regex = Routes.ingressRoutes(ing).stream().anyMatch(r -> r.match().equals("Regex"));
            if (regex) {
                assertTrue("true".equals(annotation(ing, "use-regex", "false")) || annotation(ing, "rewrite-target", null) != null,
                        "Ingress " + name + " has regex paths but neither use-regex nor rewrite-target");
            }
            for (Object rule : Repo.list(ing, "spec", "rules")) {
                hosts.add(String.valueOf(Repo.str(rule, "host")));
            }
        }
        assertEquals(1, hosts.size(), "all Ingress objects of overlay " + overlay + " must serve one host, got " + hosts);
        assertFalse(Repo.ofKind(overlay, "Ingress").isEmpty(), "overlay " + overlay + " has no Ingress");
    }

    static Map<String, Object> ingressHolding(String overlay, Route route) {
        for (Map<String, Object> ing : Repo.ofKind(overlay, "Ingress")) {
            if (Routes.ingressRoutes(ing).contains(route)) {
                return ing;
            }
        }
        fail("overlay " + overlay + ": no Ingress has the route " + route);
        return null;
    }

    static String annotation(Map<String, Object> ingress, String name, String dflt) {
        String v = Repo.str(ingress, "metadata", "annotations", "nginx.ingress.kubernetes.io/" + name);
        return v == null ? dflt : v;
    }

    static String seconds(String nginxTime) {
        return nginxTime.trim().replaceFirst("s$", "");
    }
}
