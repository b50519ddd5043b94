package io.chatplatform.deploytests;

import static io.chatplatform.deploytests.Repo.at;
import static io.chatplatform.deploytests.Repo.list;
import static io.chatplatform.deploytests.Repo.map;
import static io.chatplatform.deploytests.Repo.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autoscaling, disruption budgets, network policies and scraping in every overlay. */
class PlatformPoliciesTest {

    /** Namespace the ingress controller runs in (ingress-nginx's default). */
    static final String INGRESS_NAMESPACE = "ingress-nginx";
    /** Namespace of the Prometheus that scrapes /q/metrics. */
    static final String MONITORING_NAMESPACE = "monitoring";

    /**
     * Service-to-service calls: DESIGN.md's diagram (chat -> session, relay -> chat and session) plus
     * the JWKS fetch of every verifying service (DESIGN.md "Identity": keys come from auth's JWKS).
     */
    static final Map<String, Set<String>> CALLERS = Map.of(
            "auth-service", Set.of("session-service", "chat-service", "relay-service"),
            "session-service", Set.of("chat-service", "relay-service"),
            "chat-service", Set.of("relay-service"),
            "relay-service", Set.of());

    static final Map<String, Set<String>> STORE_CLIENTS = Map.of(
            "redis", Set.of("auth-service", "session-service", "chat-service", "relay-service"),
            // the services, and the Flyway Jobs of base/migrations.yaml (pods labelled <service>-migrate)
            "postgresql", Set.of("auth-service", "session-service", "auth-service-migrate", "session-service-migrate"));

    static List<String> overlays() {
        return Repo.overlays();
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void chatAndRelayScaleOnCpu(String overlay) {
        for (String service : List.of("chat-service", "relay-service")) {
            Map<String, Object> hpa = Repo.ofKind(overlay, "HorizontalPodAutoscaler").stream()
                    .filter(h -> service.equals(str(h, "spec", "scaleTargetRef", "name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("overlay " + overlay + ": no HorizontalPodAutoscaler for " + service));
            assertEquals("Deployment", str(hpa, "spec", "scaleTargetRef", "kind"));
            assertEquals("autoscaling/v2", str(hpa, "apiVersion"));
            boolean cpu = list(hpa, "spec", "metrics").stream()
                    .anyMatch(m -> "Resource".equals(str(m, "type")) && "cpu".equals(str(m, "resource", "name")));
            assertTrue(cpu, "overlay " + overlay + ": the HPA of " + service + " must scale on CPU");
            int min = ((Number) at(hpa, "spec", "minReplicas")).intValue();
            int max = ((Number) at(hpa, "spec", "maxReplicas")).intValue();
            assertTrue(min >= 1 && max > min, "overlay " + overlay + ": " + service + " HPA bounds " + min + ".." + max);
        }
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void everyServiceHasADisruptionBudget(String overlay) {
        for (String service : Repo.SERVICES) {
            boolean covered = Repo.ofKind(overlay, "PodDisruptionBudget").stream()
                    .anyMatch(p -> service.equals(str(p, "spec", "selector", "matchLabels", "app.kubernetes.io/name")));
            assertTrue(covered, "overlay " + overlay + ": no PodDisruptionBudget selects " + service);
        }
    }

    static List<Map<String, Object>> policiesSelecting(String overlay, String app) {
        return Repo.ofKind(overlay, "NetworkPolicy").stream().filter(p -> {
            Map<String, Object> sel = map(p, "spec", "podSelector");
            Map<String, Object> labels = map(sel, "matchLabels");
            List<Object> exprs = list(sel, "matchExpressions");
            boolean inExpr = exprs.stream().anyMatch(x -> "app.kubernetes.io/name".equals(str(x, "key"))
                    && "In".equals(str(x, "operator")) && list(x, "values").contains(app));
            return (labels.isEmpty() && exprs.isEmpty()) || app.equals(labels.get("app.kubernetes.io/name")) || inExpr;
        }).toList();
    }

    /** Peers allowed in: "ns:<name>" for a namespace, "pod:<app>" for pods of this namespace, "ANY" otherwise. */
    static Set<String> ingressPeers(String overlay, String app, int port) {
        Set<String> peers = new TreeSet<>();
        for (Map<String, Object> p : policiesSelecting(overlay, app)) {
            for (Object rule : list(p, "spec", "ingress")) {
                boolean portOk = list(rule, "ports").isEmpty() || list(rule, "ports").stream()
                        .anyMatch(pt -> at(pt, "port") instanceof Number n && n.intValue() == port);
                if (!portOk) {
                    continue;
                }
                if (list(rule, "from").isEmpty()) {
                    peers.add("ANY");
                }
                for (Object from : list(rule, "from")) {
                    peers.addAll(describePeer(from));
                }
            }
        }
        return peers;
    }

    static Set<String> egressPeers(String overlay, String app, int port) {
        Set<String> peers = new TreeSet<>();
        for (Map<String, Object> p : policiesSelecting(overlay, app)) {
            if (!list(p, "spec", "policyTypes").contains("Egress")) {
                continue;
            }
            for (Object rule : list(p, "spec", "egress")) {
                boolean portOk = list(rule, "ports").isEmpty() || list(rule, "ports").stream()
                        .anyMatch(pt -> at(pt, "port") instanceof Number n && n.intValue() == port);
                if (portOk) {
                    for (Object to : list(rule, "to")) {
                        peers.addAll(describePeer(to));
                    }
                }
            }
        }
        return peers;
    }

    static Set<String> describePeer(Object peer) {
        Set<String> out = new TreeSet<>();
        if (at(peer, "ipBlock") != null) {
            out.add("ip:" + str(peer, "ipBlock", "cidr"));
            return out;
        }
        Object ns = at(peer, "namespaceSelector");
        Object pods = at(peer, "podSelector");
        if (ns != null) {
            String name = str(ns, "matchLabels", "kubernetes.io/metadata.name");
            out.add(name == null ? "ANY" : "ns:" + name);
            return out;
        }
        if (pods != null) {
            String app = str(pods, "matchLabels", "app.kubernetes.io/name");
            if (app != null) {
                out.add("pod:" + app);
            }
            for (Object expr : list(pods, "matchExpressions")) {
                if ("app.kubernetes.io/name".equals(str(expr, "key")) && "In".equals(str(expr, "operator"))) {
                    list(expr, "values").forEach(v -> out.add("pod:" + v));
                }
            }
            if (out.isEmpty()) {
                out.add("ANY");
            }
        }
        return out;
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void networkPoliciesLetInOnlyTheIngressMonitoringAndDesignedCallers(String overlay) {
        List<String> problems = new ArrayList<>();
        boolean defaultDeny = Repo.ofKind(overlay, "NetworkPolicy").stream()
                .anyMatch(p -> map(p, "spec", "podSelector").isEmpty() && list(p, "spec", "policyTypes").containsAll(List.of("Ingress", "Egress"))
                        && list(p, "spec", "ingress").isEmpty() && list(p, "spec", "egress").isEmpty());
        if (!defaultDeny) {
            problems.add("no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)");
        }
        boolean dns = Repo.ofKind(overlay, "NetworkPolicy").stream()
                .filter(p -> map(p, "spec", "podSelector").isEmpty())
                .flatMap(p -> list(p, "spec", "egress").stream())
                .anyMatch(r -> list(r, "ports").stream().anyMatch(pt -> at(pt, "port") instanceof Number n && n.intValue() == 53));
        if (!dns) {
            problems.add("no NetworkPolicy lets every pod reach DNS (port 53)");
        }
        for (String service : Repo.SERVICES) {
            int port = Repo.httpPort(service);
            Set<String> expected = new TreeSet<>(Set.of("ns:" + INGRESS_NAMESPACE, "ns:" + MONITORING_NAMESPACE));
            CALLERS.get(service).forEach(c -> expected.add("pod:" + c));
            Set<String> actual = ingressPeers(overlay, service, port);
            if (!expected.equals(actual)) {
                problems.add(service + " (port " + port + ") is reachable from " + actual + ", expected exactly " + expected);
            }
            int management = Repo.managementPort(service);
            Set<String> managers = ingressPeers(overlay, service, management);
            Set<String> onlyIngressAndMonitoring = new TreeSet<>(Set.of("ns:" + INGRESS_NAMESPACE, "ns:" + MONITORING_NAMESPACE));
            if (!onlyIngressAndMonitoring.equals(managers)) {
                problems.add(service + " (management port " + management + ") is reachable from " + managers + ", expected exactly "
                        + onlyIngressAndMonitoring);
            }
            for (String caller : CALLERS.get(service)) {
                if (!egressPeers(overlay, caller, port).contains("pod:" + service)) {
                    problems.add(caller + " may not call " + service + ":" + port + " (egress)");
                }
            }
        }
        for (var e : STORE_CLIENTS.entrySet()) {
            int port = e.getKey().equals("redis") ? 6379 : 5432;
            Set<String> expected = new TreeSet<>();
            e.getValue().forEach(c -> expected.add("pod:" + c));
            Set<String> actual = ingressPeers(overlay, e.getKey(), port);
            if (!expected.equals(actual)) {
                problems.add(e.getKey() + " is reachable from " + actual + ", expected only the services " + expected);
            }
            // in the cluster (a Deployment of the overlay) or outside it, reached by address
            boolean inCluster = Repo.find(overlay, "Deployment", e.getKey()).isPresent()
                    || Repo.find(overlay, "StatefulSet", e.getKey()).isPresent();
            for (String client : e.getValue()) {
                Set<String> peers = egressPeers(overlay, client, port);
                boolean reaches = inCluster ? peers.contains("pod:" + e.getKey())
                        : peers.stream().anyMatch(p -> p.startsWith("ip:"));
                if (!reaches) {
                    problems.add(client + " may not reach " + e.getKey() + ":" + port + " (egress, "
                            + (inCluster ? "in-cluster pods" : "external: an ipBlock") + ")");
                }
            }
        }
        assertTrue(problems.isEmpty(), "overlay " + overlay + ":\n" + String.join("\n", problems));
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void prometheusOperatorScrapesEveryServiceWhereItIsDeployed(String overlay) {
        List<Map<String, Object>> monitors = Repo.ofKind(overlay, "ServiceMonitor");
        if (overlay.equals("local")) {
            // a plain local cluster has no Prometheus operator: the overlay drops the ServiceMonitor
            assertTrue(monitors.isEmpty(), "overlay local should not need the ServiceMonitor CRD");
            return;
        }
        assertEquals(1, monitors.size(), "overlay " + overlay + ": ServiceMonitors " + monitors.size());
        Map<String, Object> sm = monitors.get(0);
        assertEquals("monitoring.coreos.com/v1", str(sm, "apiVersion"));
        Object endpoint = list(sm, "spec", "endpoints").get(0);
        assertEquals("/q/metrics", str(endpoint, "path"));
        assertEquals("management", str(endpoint, "port"), "metrics are scraped from the management port, which no Ingress routes");
        Map<String, Object> selector = map(sm, "spec", "selector", "matchLabels");
        for (String service : Repo.SERVICES) {
            Map<String, Object> labels = map(Repo.get(overlay, "Service", service), "metadata", "labels");
            selector.forEach((k, v) -> assertEquals(v, labels.get(k),
                    "overlay " + overlay + ": the ServiceMonitor selector " + k + "=" + v + " misses Service " + service));
        }
        assertNotNull(str(sm, "spec", "endpoints"), "endpoints");
    }
}
