package io.chatplatform.deploytests;

import static io.chatplatform.deploytests.Repo.at;
import static io.chatplatform.deploytests.Repo.list;
import static io.chatplatform.deploytests.Repo.map;
import static io.chatplatform.deploytests.Repo.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each service's Deployment and Service in every overlay against the service's own configuration
 * (application.properties: port, environment variables) and the platform's hardening rules.
 */
class ServiceDeploymentsTest {

    /** DESIGN.md "Configuration": every one of these is set for at least one service. */
    static final List<String> DESIGN_VARIABLES = List.of("REDIS_URL", "QUARKUS_DATASOURCE_JDBC_URL",
            "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD", "JWT_ISSUER", "JWKS_URL", "AUTH_SIGNING_KEY",
            "PUBLIC_BASE_URL", "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_FROM", "CORS_ORIGINS",
            "SESSION_SERVICE_URL", "CHAT_SERVICE_URL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL");

    /** Secrets that hold credentials: never a plain value or ConfigMap. */
    static final Set<String> MUST_BE_SECRET = Set.of("QUARKUS_DATASOURCE_PASSWORD", "SMTP_PASSWORD", "OPENAI_API_KEY");

    static Stream<Arguments> overlayAndService() {
        return Repo.overlays().stream().flatMap(o -> Repo.SERVICES.stream().map(s -> Arguments.of(o, s)));
    }

    static List<String> overlays() {
        return Repo.overlays();
    }

    static Map<String, Object> container(String overlay, String service) {
        Map<String, Object> dep = Repo.get(overlay, "Deployment", service);
        for (Object c : list(dep, "spec", "template", "spec", "containers")) {
            if (service.equals(str(c, "name"))) {
                return Repo.cast(c);
            }
        }
        fail("overlay " + overlay + ": Deployment " + service + " has no container named " + service);
        return null;
    }

    static Map<String, Object> podSpec(String overlay, String service) {
        return map(Repo.get(overlay, "Deployment", service), "spec", "template", "spec");
    }

    /** Resolves a probe's or Service's port (a number or a container port name) to a number. */
    static int resolvePort(Map<String, Object> container, Object port, String what) {
        assertNotNull(port, what + ": no port");
        if (port instanceof Number n) {
            return n.intValue();
        }
        for (Object p : list(container, "ports")) {
            if (String.valueOf(port).equals(str(p, "name"))) {
                return ((Number) at(p, "containerPort")).intValue();
            }
        }
        fail(what + ": port name " + port + " is not a port of container " + str(container, "name"));
        return -1;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("overlayAndService")
    void probesAndPortsMatchQuarkusHttpAndManagementPorts(String overlay, String service) {
        int port = Repo.httpPort(service);
        int management = Repo.managementPort(service);
        Map<String, Object> c = container(overlay, service);
        String where = "overlay " + overlay + ", " + service;

        Map<String, String> expectedPaths = Map.of("readinessProbe", "/q/health/ready", "livenessProbe", "/q/health/live",
                "startupProbe", "/q/health/started");
        expectedPaths.forEach((probe, path) -> {
            Map<String, Object> get = map(c, probe, "httpGet");
            assertEquals(path, str(get, "path"), where + ": " + probe + " path");
            assertEquals(management, resolvePort(c, at(get, "port"), where + " " + probe),
                    where + ": " + probe + " port must be quarkus.management.port " + management);
        });

        Map<String, Object> svc = Repo.get(overlay, "Service", service);
        List<Object> ports = list(svc, "spec", "ports");
        assertEquals(2, ports.size(), where + ": Service ports (http, management) " + ports);
        assertEquals(port, resolvePort(c, at(ports.get(0), "targetPort"), where + " Service targetPort"),
                where + ": Service targetPort must reach quarkus.http.port " + port);
        assertEquals(port, ((Number) at(ports.get(0), "port")).intValue(),
                where + ": Service port (the URLs the other services use) must be " + port);
        assertEquals("http", str(ports.get(0), "name"), where + ": the Ingress uses the port name http");
        assertEquals("management", str(ports.get(1), "name"), where + ": the ServiceMonitor and health routes use the port name management");
        assertEquals(management, resolvePort(c, at(ports.get(1), "targetPort"), where + " Service management targetPort"),
                where + ": Service management targetPort must reach quarkus.management.port " + management);
        Map<String, Object> selector = map(svc, "spec", "selector");
        Map<String, Object> podLabels = map(Repo.get(overlay, "Deployment", service), "spec", "template", "metadata", "labels");
        selector.forEach((k, v) -> assertEquals(v, podLabels.get(k), where + ": Service selector " + k + " must match the pods"));
    }

    /** name -> where its value comes from ("configMap name/key", "secret name/key", "value ..."). */
    static Map<String, String> envSources(String overlay, String service) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, Object> c = container(overlay, service);
        for (Object e : list(c, "env")) {
            String name = str(e, "name");
            if (at(e, "valueFrom", "configMapKeyRef") != null) {
                out.put(name, "configMap " + str(e, "valueFrom", "configMapKeyRef", "name") + "/"
                        + str(e, "valueFrom", "configMapKeyRef", "key"));
            } else if (at(e, "valueFrom", "secretKeyRef") != null) {
                out.put(name, "secret " + str(e, "valueFrom", "secretKeyRef", "name") + "/"
                        + str(e, "valueFrom", "secretKeyRef", "key"));
            } else if (at(e, "value") != null) {
                out.put(name, "value " + str(e, "value"));
            } else {
                out.put(name, "other");
            }
        }
        for (Object ef : list(c, "envFrom")) {
            if (at(ef, "configMapRef") != null) {
                String cm = str(ef, "configMapRef", "name");
                Repo.find(overlay, "ConfigMap", cm).ifPresent(m -> map(m, "data").keySet()
                        .forEach(k -> out.putIfAbsent(k, "configMap " + cm + "/" + k)));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("overlayAndService")
    void everyVariableTheServiceReadsIsSet(String overlay, String service) {
        Set<String> reads = Repo.envReferences(service);
        Map<String, String> set = envSources(overlay, service);
        Set<String> missing = new TreeSet<>(reads);
        missing.removeAll(set.keySet());
        assertTrue(missing.isEmpty(), "overlay " + overlay + ": " + service
                + " reads these environment variables (application.properties) but its Deployment does not set them: "
                + missing);
        for (String name : MUST_BE_SECRET) {
            if (set.containsKey(name)) {
                assertTrue(set.get(name).startsWith("secret "), "overlay " + overlay + ": " + service + " " + name
                        + " must come from a Secret, not " + set.get(name));
            }
        }
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void everyDesignVariableIsSetAndEveryReferenceResolves(String overlay) {
        Set<String> setSomewhere = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        for (String service : Repo.SERVICES) {
            envSources(overlay, service).forEach((name, source) -> {
                setSomewhere.add(name);
                if (source.startsWith("configMap ")) {
                    String[] ref = source.substring("configMap ".length()).split("/", 2);
                    Map<String, Object> cm = Repo.find(overlay, "ConfigMap", ref[0]).orElse(null);
                    if (cm == null || !map(cm, "data").containsKey(ref[1])) {
                        problems.add(service + " " + name + ": ConfigMap " + ref[0] + " has no key " + ref[1]);
                    }
                }
                if (source.startsWith("secret ") && overlay.equals("local")) {
                    // the local overlay is self-contained: its Secrets are in the render
                    String[] ref = source.substring("secret ".length()).split("/", 2);
                    Map<String, Object> s = Repo.find(overlay, "Secret", ref[0]).orElse(null);
                    if (s == null || !(map(s, "stringData").containsKey(ref[1]) || map(s, "data").containsKey(ref[1]))) {
                        problems.add(service + " " + name + ": Secret " + ref[0] + " has no key " + ref[1]);
                    }
                }
            });
        }
        List<String> unset = DESIGN_VARIABLES.stream().filter(v -> !setSomewhere.contains(v)).toList();
        if (!unset.isEmpty()) {
            problems.add("DESIGN.md variables no Deployment sets: " + unset);
        }
        assertTrue(problems.isEmpty(), "overlay " + overlay + ":\n" + String.join("\n", problems));
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void serviceUrlsInTheConfigMapPointAtTheServices(String overlay) {
        Map<String, String> urlKeys = Map.of("JWKS_URL", "auth-service", "SESSION_SERVICE_URL", "session-service",
                "CHAT_SERVICE_URL", "chat-service");
        Map<String, Object> cm = Repo.ofKind(overlay, "ConfigMap").stream()
                .filter(m -> str(m, "metadata", "name").startsWith("chat-platform-config")).findFirst()
                .orElseThrow(() -> new AssertionError("overlay " + overlay + " has no chat-platform-config ConfigMap"));
        urlKeys.forEach((key, service) -> {
            URI uri = URI.create(String.valueOf(map(cm, "data").get(key)));
            assertEquals(service, uri.getHost(), "overlay " + overlay + ": " + key + " host");
            assertEquals(Repo.httpPort(service), uri.getPort(), "overlay " + overlay + ": " + key + " port");
        });
    }

    @Test
    void authSigningKeyIsAFileOfAMountedSecret() {
        for (String overlay : Repo.overlays()) {
            Map<String, Object> c = container(overlay, "auth-service");
            String path = envSources(overlay, "auth-service").getOrDefault("AUTH_SIGNING_KEY", "");
            assertTrue(path.startsWith("value /"), "overlay " + overlay + ": AUTH_SIGNING_KEY must be a file path, got " + path);
            String file = path.substring("value ".length());
            Map<String, String> secretVolumes = new LinkedHashMap<>();
            for (Object v : list(podSpec(overlay, "auth-service"), "volumes")) {
                if (at(v, "secret") != null) {
                    secretVolumes.put(str(v, "name"), str(v, "secret", "secretName"));
                }
            }
            boolean mounted = list(c, "volumeMounts").stream().anyMatch(m -> secretVolumes.containsKey(str(m, "name"))
                    && file.startsWith(str(m, "mountPath") + "/"));
            assertTrue(mounted, "overlay " + overlay + ": AUTH_SIGNING_KEY " + file + " is not inside a mounted Secret volume "
                    + secretVolumes);
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("overlayAndService")
    void runsNonRootWithAReadOnlyRootFilesystem(String overlay, String service) {
        String where = "overlay " + overlay + ", " + service;
        Map<String, Object> pod = podSpec(overlay, service);
        Map<String, Object> c = container(overlay, service);
        Object nonRoot = at(c, "securityContext", "runAsNonRoot") != null ? at(c, "securityContext", "runAsNonRoot")
                : at(pod, "securityContext", "runAsNonRoot");
        assertEquals(Boolean.TRUE, nonRoot, where + ": runAsNonRoot");
        Object uid = at(c, "securityContext", "runAsUser") != null ? at(c, "securityContext", "runAsUser")
                : at(pod, "securityContext", "runAsUser");
        assertNotNull(uid, where + ": runAsUser (numeric, so the kubelet can verify runAsNonRoot)");
        assertNotEquals(0, ((Number) uid).intValue(), where + ": runAsUser");
        assertEquals(Boolean.TRUE, at(c, "securityContext", "readOnlyRootFilesystem"), where + ": readOnlyRootFilesystem");
        assertEquals(Boolean.FALSE, at(c, "securityContext", "allowPrivilegeEscalation"), where + ": allowPrivilegeEscalation");
        assertTrue(list(c, "securityContext", "capabilities", "drop").contains("ALL"), where + ": capabilities drop ALL");

        String tmpVolume = list(c, "volumeMounts").stream().filter(m -> "/tmp".equals(str(m, "mountPath")))
                .map(m -> str(m, "name")).findFirst().orElse(null);
        assertNotNull(tmpVolume, where + ": /tmp must be a writable mount (read-only root filesystem)");
        assertTrue(list(pod, "volumes").stream().anyMatch(v -> tmpVolume.equals(str(v, "name")) && at(v, "emptyDir") != null),
                where + ": /tmp must be an emptyDir");

        for (String kind : List.of("requests", "limits")) {
            assertNotNull(at(c, "resources", kind, "memory"), where + ": resources." + kind + ".memory");
        }
        assertNotNull(at(c, "resources", "requests", "cpu"), where + ": resources.requests.cpu (the HPA needs it)");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("overlayAndService")
    void shutsDownGracefully(String overlay, String service) {
        String where = "overlay " + overlay + ", " + service;
        Map<String, Object> c = container(overlay, service);
        Object sleep = at(c, "lifecycle", "preStop", "sleep", "seconds");
        assertNotNull(sleep, where + ": a preStop sleep lets the endpoint leave the load balancers before SIGTERM");
        Object grace = at(podSpec(overlay, service), "terminationGracePeriodSeconds");
        assertNotNull(grace, where + ": terminationGracePeriodSeconds");
        assertTrue(((Number) grace).intValue() >= ((Number) sleep).intValue() + 20, where
                + ": the grace period must cover the preStop sleep plus Quarkus' shutdown (>= sleep + 20 s)");
        if (service.equals("relay-service")) {
            assertTrue(((Number) grace).intValue() >= 45, where + ": relay needs time to drain WebSockets");
        }
    }
}
