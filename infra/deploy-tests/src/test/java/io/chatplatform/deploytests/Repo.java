package io.chatplatform.deploytests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The repository as the tests see it: rendered kustomize overlays, the services' configuration,
 * external tools. Everything is read from the working tree at test time, so a change anywhere
 * (a route, a port, a new environment variable) is checked against the deployment files.
 */
final class Repo {

    static final Path ROOT = Path.of(System.getProperty("repo.root", "../..")).toAbsolutePath().normalize();
    static final Path K8S = ROOT.resolve("infra/k8s");
    static final Path NGINX_TEMPLATE = ROOT.resolve("infra/nginx/nginx.conf.template");
    static final Path PROMETHEUS = ROOT.resolve("infra/prometheus");
    static final Path GRAFANA = ROOT.resolve("infra/grafana");

    static final List<String> SERVICES = List.of("auth-service", "session-service", "chat-service", "relay-service");

    /** DESIGN.md "Ports": used only while a service has no application.properties yet. */
    static final Map<String, Integer> DESIGN_PORTS = Map.of(
            "auth-service", 8081, "session-service", 8082, "chat-service", 8083, "relay-service", 8084);

    /**
     * DESIGN.md "Configuration" and the README's table (which service reads which variable): used only
     * while a service has no application.properties yet.
     */
    static final Map<String, Set<String>> DESIGN_ENV = Map.of(
            "auth-service", Set.of("REDIS_URL", "QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME",
                    "QUARKUS_DATASOURCE_PASSWORD", "JWT_ISSUER", "AUTH_SIGNING_KEY", "PUBLIC_BASE_URL", "SMTP_HOST",
                    "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_FROM", "SMTP_TLS"),
            "session-service", Set.of("REDIS_URL", "QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME",
                    "QUARKUS_DATASOURCE_PASSWORD", "JWT_ISSUER", "JWKS_URL"),
            "chat-service", Set.of("REDIS_URL", "JWT_ISSUER", "JWKS_URL", "SESSION_SERVICE_URL", "OPENAI_BASE_URL",
                    "OPENAI_API_KEY", "OPENAI_MODEL"),
            "relay-service", Set.of("REDIS_URL", "JWT_ISSUER", "JWKS_URL", "CORS_ORIGINS", "SESSION_SERVICE_URL",
                    "CHAT_SERVICE_URL"));

    /** Set by the container runtime itself, never by the manifests. */
    static final Set<String> PROVIDED_BY_KUBERNETES = Set.of("HOSTNAME");

    private static final Map<String, List<Map<String, Object>>> RENDERED = new ConcurrentHashMap<>();

    private Repo() {
    }

    // ---- overlays ----------------------------------------------------------------------------

    static List<String> overlays() {
        try (Stream<Path> dirs = Files.list(K8S.resolve("overlays"))) {
            List<String> names = dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
            if (names.isEmpty()) {
                fail("no overlay with a kustomization.yaml under " + K8S.resolve("overlays"));
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** `kubectl kustomize infra/k8s/overlays/<name>`, parsed; rendered once per test run. */
    static List<Map<String, Object>> render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, o -> {
            Path dir = K8S.resolve("overlays").resolve(o);
            String kubectl = requireTool("kubectl", KUBECTL_HINT);
            Result r = run(60, kubectl, "kustomize", dir.toString());
            if (r.exit != 0) {
                fail("kubectl kustomize " + ROOT.relativize(dir) + " failed (exit " + r.exit + "):\n" + r.err
                        + "\n(kubectl at " + kubectl + "; " + run(30, kubectl, "version", "--client").out.trim() + ")");
            }
            List<Map<String, Object>> docs = new ArrayList<>();
            for (Object doc : new Yaml(new LoaderOptions()).loadAll(r.out)) {
                if (doc instanceof Map<?, ?> m) {
                    docs.add(cast(m));
                }
            }
            return docs;
        });
    }

    static List<Map<String, Object>> ofKind(String overlay, String kind) {
        return render(overlay).stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    static Optional<Map<String, Object>> find(String overlay, String kind, String name) {
        return ofKind(overlay, kind).stream().filter(d -> name.equals(str(d, "metadata", "name"))).findFirst();
    }

    static Map<String, Object> get(String overlay, String kind, String name) {
        return find(overlay, kind, name).orElseGet(() -> {
            fail("overlay " + overlay + ": no " + kind + " named " + name);
            return null;
        });
    }

    // ---- services' configuration ---------------------------------------------------------------

    static Path applicationProperties(String service) {
        return ROOT.resolve(service).resolve("src/main/resources/application.properties");
    }

    static boolean hasConfig(String service) {
        return Files.isRegularFile(applicationProperties(service));
    }

    /** The lines the prod profile sees: unprofiled and %prod. ones (not %dev./%test.). */
    static Properties prodProperties(String service) {
        Properties all = new Properties();
        try (var in = Files.newBufferedReader(applicationProperties(service), StandardCharsets.UTF_8)) {
            all.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties prod = new Properties();
        for (String key : all.stringPropertyNames()) {
            if (!key.startsWith("%")) {
                prod.putIfAbsent(key, all.getProperty(key));
            }
        }
        for (String key : all.stringPropertyNames()) {
            if (key.startsWith("%prod.")) {
                prod.put(key.substring("%prod.".length()), all.getProperty(key));
            }
        }
        return prod;
    }

    private static final Pattern EXPRESSION_DEFAULT = Pattern.compile("^\\$\\{[^:}]+:([^}]*)}$");

    /** quarkus.http.port of the service (resolving a `${VAR:default}` expression to its default). */
    static int httpPort(String service) {
        if (!hasConfig(service)) {
            System.out.println("NOTE: " + ROOT.relativize(applicationProperties(service))
                    + " does not exist yet: using DESIGN.md's port " + DESIGN_PORTS.get(service));
            return DESIGN_PORTS.get(service);
        }
        String raw = prodProperties(service).getProperty("quarkus.http.port");
        if (raw == null) {
            fail(service + ": quarkus.http.port is not set in application.properties (DESIGN.md: "
                    + DESIGN_PORTS.get(service) + ")");
        }
        Matcher m = EXPRESSION_DEFAULT.matcher(raw.trim());
        return Integer.parseInt(m.matches() ? m.group(1).trim() : raw.trim());
    }

    /** The local stack (infra/local/run.sh) puts a service's management interface on its HTTP port + this. */
    static final int LOCAL_MANAGEMENT_OFFSET = 1000;

    /**
     * quarkus.management.port of the service where quarkus.management.enabled is true in the prod profile
     * (health, metrics and OpenAPI leave the HTTP port then); fails when the management interface is off.
     */
    static int managementPort(String service) {
        Properties prod = prodProperties(service);
        if (!"true".equals(prod.getProperty("quarkus.management.enabled", "false").trim())) {
            fail(service + ": quarkus.management.enabled is not true: health, metrics and OpenAPI would share the HTTP port"
                    + " the Ingress routes to");
        }
        String raw = prod.getProperty("quarkus.management.port", "9000");
        Matcher m = EXPRESSION_DEFAULT.matcher(raw.trim());
        return Integer.parseInt(m.matches() ? m.group(1).trim() : raw.trim());
    }

    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");

    /** Every `${VAR...}` (upper case: an environment variable) the prod profile of the service reads. */
    static Set<String> envReferences(String service) {
        if (!hasConfig(service)) {
            System.out.println("NOTE: " + ROOT.relativize(applicationProperties(service))
                    + " does not exist yet: checking DESIGN.md's variables for " + service + " instead");
            return DESIGN_ENV.get(service);
        }
        Set<String> vars = new LinkedHashSet<>();
        Properties p = prodProperties(service);
        for (String key : p.stringPropertyNames()) {
            Matcher m = ENV_REFERENCE.matcher(p.getProperty(key));
            while (m.find()) {
                vars.add(m.group(1));
            }
        }
        vars.removeAll(PROVIDED_BY_KUBERNETES);
        return vars;
    }

    // ---- tools ---------------------------------------------------------------------------------

    static final String KUBECTL_HINT = "kubectl is needed to render infra/k8s (kubectl kustomize; the kustomizations "
            + "stay compatible with the kustomize v2.0.3 of kubectl 1.20). infra/local/test.sh should install it in "
            + "ensure_tools (Debian package: kubernetes-client).";
    static final String PROMTOOL_HINT = "promtool is needed to check infra/prometheus. infra/local/test.sh should "
            + "install it in ensure_tools (Debian package: prometheus).";

    static Optional<Path> onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Arrays.stream(path.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank())
                .map(dir -> Path.of(dir, tool)).filter(Files::isExecutable).findFirst();
    }

    static String requireTool(String tool, String hint) {
        return onPath(tool).map(Path::toString).orElseGet(() -> {
            fail(tool + " not found on PATH. " + hint);
            return null;
        });
    }

    record Result(int exit, String out, String err) {
    }

    static Result run(int timeoutSeconds, String... command) {
        try {
            Path out = Files.createTempFile("deploy-tests", ".out");
            Path err = Files.createTempFile("deploy-tests", ".err");
            try {
                Process p = new ProcessBuilder(command).directory(ROOT.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- untyped YAML access -------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object o) {
        return o == null ? new LinkedHashMap<>() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    /** Walks maps by key; null when any step is missing. */
    static Object at(Object root, String... keys) {
        Object cur = root;
        for (String k : keys) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(k);
        }
        return cur;
    }

    static Map<String, Object> map(Object root, String... keys) {
        return cast(at(root, keys));
    }

    static List<Object> list(Object root, String... keys) {
        return list(at(root, keys));
    }

    static String str(Object root, String... keys) {
        Object v = at(root, keys);
        return v == null ? null : String.valueOf(v);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
