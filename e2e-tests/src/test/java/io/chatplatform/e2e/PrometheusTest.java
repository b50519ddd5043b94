package io.chatplatform.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Prometheus (Debian's {@code prometheus}) scrapes the running local stack with the committed
 * scrape config ({@code infra/prometheus/prometheus-local.yml}: same jobs, metrics_path and rule files,
 * only the targets moved to the e2e ports, both relay replicas, and the intervals shortened to 1 s). A
 * sign-in and three chat turns through the ingress (one calling a tool, two watched on a live WebSocket)
 * must then show in the key series, every target must be up and every alert rule of {@code alerts.yml}
 * loaded and evaluating cleanly.
 */
@Order(2)
@ExtendWith(LocalStack.class)
class PrometheusTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** The services the scrape config must cover (job = the Kubernetes Service name). */
    private static final List<String> REQUIRED_JOBS =
            List.of("auth-service", "session-service", "chat-service", "relay-service", "llm-stub");
    /**
     * The dev ports of the committed config (the services' management ports, DESIGN.md's ports + 1000 as
     * infra/local/run.sh starts them; the stand-in's own port) -> LocalStack's service.
     */
    private static final Map<Integer, String> DEV_PORTS =
            Map.of(9081, "auth", 9082, "session", 9083, "chat", 9084, "relay", 8089, "llm-stub");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Process prometheus;
    private static Path log;
    private static String api;
    /** job -> the scrape URLs the generated config gives it. */
    private static Map<String, Set<String>> expectedTargets;
    private static String metricsPath;
    private static List<String> alertNames;

    @BeforeAll
    static void startPrometheus() throws Exception {
        Path root = Path.of(System.getProperty("platform.root", "..")).toAbsolutePath().normalize();
        Path committed = root.resolve("infra/prometheus");
        Path run = Path.of("target", "prometheus").toAbsolutePath();
        Path data = Path.of("target", "prometheus-data").toAbsolutePath();
        deleteRecursively(run);
        deleteRecursively(data); // a fresh TSDB: no series left over from an earlier run can pass the checks
        Files.createDirectories(run);

        // the rule files next to the generated config, so its relative rule_files resolve as in the repository
        try (Stream<Path> files = Files.list(committed)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).toList()) {
                Files.copy(f, run.resolve(f.getFileName()));
            }
        }
        String source = Files.readString(committed.resolve("prometheus-local.yml"));
        Path config = run.resolve("prometheus-e2e.yml");
        Files.writeString(config, e2eConfig(source));
        metricsPath = single(source, Pattern.compile("(?m)^\\s*metrics_path:\\s*(\\S+)\\s*$"));
        alertNames = all(Files.readString(committed.resolve("alerts.yml")),
                Pattern.compile("(?m)^\\s*-\\s*alert:\\s*(\\S+)\\s*$"));
        assertFalse(alertNames.isEmpty(), "alerts.yml defines alerts");
        assertTrue(expectedTargets.keySet().containsAll(REQUIRED_JOBS),
                "prometheus-local.yml scrapes every service: " + expectedTargets.keySet());

        // promtool first: a broken config or rule file fails here with promtool's own words
        ProcessResult check = exec(List.of(tool("promtool"), "check", "config", config.toString()));
        assertEquals(0, check.exit(), "promtool check config:\n" + check.output());

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        api = "http://127.0.0.1:" + port;
        log = run.resolve("prometheus.log");
        prometheus = new ProcessBuilder(List.of(tool("prometheus"), "--config.file=" + config,
                "--storage.tsdb.path=" + data, "--web.listen-address=127.0.0.1:" + port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            assertTrue(prometheus.isAlive(), () -> "prometheus exited:\n" + readLog());
            try {
                if (get(api + "/-/ready").statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertTrue(Instant.now().isBefore(deadline), () -> "prometheus not ready in 30 s:\n" + readLog());
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stopPrometheus() throws InterruptedException {
        if (prometheus != null && prometheus.isAlive()) {
            prometheus.destroy(); // SIGTERM: a clean TSDB shutdown
            if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    @Test
    void everyConfiguredTargetIsUp() {
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode targets = apiGet("/api/v1/targets?state=active").path("activeTargets");
            Map<String, Set<String>> seen = new TreeMap<>();
            for (JsonNode t : targets) {
                String job = t.path("labels").path("job").asText();
                String url = t.path("scrapeUrl").asText();
                seen.computeIfAbsent(job, j -> new TreeSet<>()).add(url);
                assertEquals("up", t.path("health").asText(), job + " " + url + ": " + t.path("lastError").asText());
                assertEquals(metricsPath, URI.create(url).getPath(), "the committed metrics_path is scraped");
            }
            assertEquals(expectedTargets, seen, "the active targets are exactly the configured ones");

            // and the same through PromQL: up == 1 for every target of every job
            JsonNode up = query("up");
            Map<String, Set<String>> upInstances = new TreeMap<>();
            for (JsonNode r : up) {
                assertEquals(1.0, value(r), "up for " + r.path("metric"));
                upInstances.computeIfAbsent(r.path("metric").path("job").asText(), j -> new TreeSet<>())
                        .add(r.path("metric").path("instance").asText());
            }
            assertEquals(expectedTargets.keySet(), upInstances.keySet(), "up has a series for every job");
            expectedTargets.forEach((job, urls) -> assertEquals(urls.size(), upInstances.get(job).size(),
                    "up has a series for every target of " + job));
        });
        // nothing about the scraped stack is alerting as down or absent
        await().atMost(PATIENCE).untilAsserted(() -> assertEquals(0,
                query("ALERTS{alertname=~\"ServiceDown|ServiceAbsent\"}").size(), "no down/absent alert"));
    }

    @Test
    void theCommittedAlertRulesAreLoadedAndEvaluate() {
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Map<String, JsonNode> rules = new LinkedHashMap<>();
            for (JsonNode group : apiGet("/api/v1/rules").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    rules.put(rule.path("name").asText(), rule);
                }
            }
            assertEquals(new TreeSet<>(alertNames), new TreeSet<>(rules.keySet()), "the rules of alerts.yml");
            for (String name : alertNames) {
                JsonNode rule = rules.get(name);
                assertEquals("alerting", rule.path("type").asText(), name);
                // "unknown" until the first evaluation, "err" when the expression fails at run time
                assertEquals("ok", rule.path("health").asText(), name + ": " + rule.path("lastError").asText());
            }
        });
    }

    @Test
    void chatTurnsShowInTheKeySeries() throws Exception {
        // a baseline once every target has been scraped after this point: other test classes share the stack
        Instant start = Instant.now();
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (JsonNode t : apiGet("/api/v1/targets?state=active").path("activeTargets")) {
                assertEquals("up", t.path("health").asText(), t.path("scrapeUrl").asText());
                assertTrue(Instant.parse(t.path("lastScrape").asText()).isAfter(start.plusSeconds(1)),
                        "scraped again: " + t.path("scrapeUrl").asText());
            }
        });
        Map<String, String> key = new LinkedHashMap<>();
        key.put("ttft", "sum(chat_time_to_first_token_seconds_count{job=\"chat-service\"})");
        key.put("prompt", "sum(chat_llm_tokens_total{job=\"chat-service\",direction=\"prompt\"})");
        key.put("completion", "sum(chat_llm_tokens_total{job=\"chat-service\",direction=\"completion\"})");
        key.put("tool", "sum(chat_tool_calls_total{job=\"chat-service\",tool=\"current_time\",outcome=\"ok\"})");
        key.put("login", "sum(auth_logins_total{job=\"auth-service\",outcome=\"success\"})");
        key.put("appended", "sum(sessions_messages_appended_total{job=\"session-service\"})");
        key.put("lag", "sum(relay_delivery_lag_seconds_count{job=\"relay-service\"})");
        Map<String, Double> before = new LinkedHashMap<>();
        for (var e : key.entrySet()) {
            before.put(e.getKey(), scalar(e.getValue()));
        }

        // what a user does with curl: sign in with the mailed code, then three turns, one calling a tool
        HttpClient user = StackUser.newBrowser();
        String token = StackUser.signIn(user, "prom-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com");
        JsonNode first = StackUser.chat(user, token, null, "Hello, this turn should show up in Prometheus");
        String session = first.path("session_id").asText();
        assertFalse(session.isBlank(), first.toString());
        // the web UI and its live connection, as a browser opens them (relay-service serves both)
        assertEquals(200, get(LocalStack.baseUrl() + "/").statusCode());
        try (LiveConnection live = LiveConnection.open(session, token)) {
            JsonNode timed = StackUser.chat(user, token, session, "what time is it in Europe/Paris");
            assertTrue(StackUser.hasToolCall(timed, "current_time"), "the stand-in called current_time: " + timed);
            StackUser.chat(user, token, session, "Thanks, one more turn for the counters");
            live.awaitCompleted(2);

            await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertTrue(scalar("sum(relay_connections{job=\"relay-service\"})") >= 1,
                        "relay_connections counts the open live connection");
                increased(key, before, "lag");
            });
        }

        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            atLeast(key, before, "ttft", 3);        // one first token per turn
            increased(key, before, "prompt");
            increased(key, before, "completion");
            atLeast(key, before, "tool", 1);
            atLeast(key, before, "login", 1);
            atLeast(key, before, "appended", 6);    // at least each turn's user and assistant message

            // every replica exports the gauge, also one that has had no connection yet (0, not "no data")
            JsonNode connections = query("relay_connections{job=\"relay-service\"}");
            assertEquals(expectedTargets.get("relay-service").size(), connections.size(),
                    "relay_connections from every relay replica: " + connections);
            Set<String> jobsWithRequests = new TreeSet<>();
            for (JsonNode r : query("count by (job) (http_server_requests_seconds_count)")) {
                jobsWithRequests.add(r.path("metric").path("job").asText());
            }
            assertEquals(expectedTargets.keySet(), jobsWithRequests, "http_server_requests_seconds_count per job");
            // the dashboard/alert inputs are queryable as histograms, not only as counts
            assertFalse(query("histogram_quantile(0.95, sum by (le) (chat_time_to_first_token_seconds_bucket))")
                    .isEmpty(), "chat_time_to_first_token_seconds_bucket (histogram for the p95 alert)");
            assertFalse(query("histogram_quantile(0.5, sum by (le) (http_server_requests_seconds_bucket{job=\"chat-service\", uri=\"/api/chat\"}))")
                    .isEmpty(), "http_server_requests_seconds_bucket (the dashboard's chat request latency)");

            // every instance of the four services exports its readiness checks (Redis, database), all passing
            Map<String, Integer> readyInstances = new TreeMap<>();
            for (JsonNode r : query("readiness_status")) {
                assertEquals(1.0, value(r), "readiness_status of " + r.path("metric"));
                readyInstances.merge(r.path("metric").path("job").asText(), 1, Integer::sum);
            }
            Map<String, Integer> serviceInstances = new TreeMap<>();
            expectedTargets.forEach((job, urls) -> {
                if (!job.equals("llm-stub")) {
                    serviceInstances.put(job, urls.size());
                }
            });
            assertEquals(serviceInstances, readyInstances, "readiness_status per service instance");
            for (String job : List.of("auth-service", "session-service")) {
                JsonNode checks = query("readiness_check_status{job=\"" + job + "\"}");
                Set<String> names = new TreeSet<>();
                checks.forEach(c -> {
                    assertEquals(1.0, value(c), "passing: " + c.path("metric"));
                    names.add(c.path("metric").path("check").asText());
                });
                assertTrue(names.stream().anyMatch(n -> n.contains("Redis")) && names.stream().anyMatch(n -> n.contains("Database")),
                        job + " reports its Redis and database checks: " + names);
            }
        });
    }

    // ---- the generated config -------------------------------------------------------------------

    /**
     * The committed local config with its targets moved to the e2e ports (relay: both replicas) and every
     * interval set to 1 s; everything else (jobs, metrics_path, rule_files) is left as committed.
     */
    static String e2eConfig(String source) {
        String config = Pattern.compile("(?m)^(\\s*(?:scrape_interval|scrape_timeout|evaluation_interval):\\s*)\\S+")
                .matcher(source).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "1s"));
        assertTrue(Pattern.compile("(?m)^\\s+scrape_interval: 1s").matcher(config).find(), "a global scrape_interval");

        List<String> jobs = all(source, Pattern.compile("(?m)^\\s*-\\s*job_name:\\s*(\\S+)\\s*$"));
        Matcher lists = Pattern.compile("(?m)^(\\s*-?\\s*targets:\\s*)\\[([^\\]]*)\\]").matcher(config);
        StringBuilder out = new StringBuilder();
        Map<String, Set<String>> expected = new TreeMap<>();
        int index = 0;
        while (lists.find()) {
            assertTrue(index < jobs.size(), "one targets list per job");
            List<String> rewritten = new ArrayList<>();
            for (String item : lists.group(2).split(",")) {
                String target = item.trim().replaceAll("^[\"']|[\"']$", "");
                int colon = target.lastIndexOf(':');
                int devPort = Integer.parseInt(target.substring(colon + 1));
                String service = DEV_PORTS.get(devPort);
                assertNotNull(service, "a target the e2e stack does not run: " + target);
                int[] ports = service.equals("relay") ? LocalStack.relayPorts() : new int[]{LocalStack.PORTS.get(service)};
                for (int p : ports) {
                    String moved = target.substring(0, colon + 1) + (service.equals("llm-stub") ? p : LocalStack.managementPort(p));
                    rewritten.add("\"" + moved + "\"");
                    expected.computeIfAbsent(jobs.get(index), j -> new TreeSet<>()).add("http://" + moved);
                }
            }
            lists.appendReplacement(out, Matcher.quoteReplacement(lists.group(1) + "[" + String.join(", ", rewritten) + "]"));
            index++;
        }
        lists.appendTail(out);
        assertEquals(jobs.size(), index, "every job's static targets were moved to the e2e ports (flow-style lists)");
        // scrape URLs carry the metrics_path of their job; all jobs share the committed one (asserted above)
        String path = single(source, Pattern.compile("(?m)^\\s*metrics_path:\\s*(\\S+)\\s*$"));
        Map<String, Set<String>> withPath = new TreeMap<>();
        expected.forEach((job, urls) -> urls.forEach(u ->
                withPath.computeIfAbsent(job, j -> new TreeSet<>()).add(u + path)));
        expectedTargets = withPath;
        return "# generated by PrometheusTest from infra/prometheus/prometheus-local.yml for the e2e ports\n" + out;
    }

    private static List<String> all(String text, Pattern p) {
        List<String> found = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static String single(String text, Pattern p) {
        Set<String> values = new LinkedHashSet<>(all(text, p));
        assertEquals(1, values.size(), "one value for " + p + ": " + values);
        return values.iterator().next();
    }

    /** The browser's live connection through the ingress: the token as a WebSocket subprotocol, never in the URL. */
    private static final class LiveConnection implements WebSocket.Listener, AutoCloseable {
        private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket ws;

        static LiveConnection open(String session, String token) throws Exception {
            LiveConnection c = new LiveConnection();
            URI uri = URI.create(LocalStack.baseUrl().replaceFirst("^http", "ws") + "/ws/sessions/" + session);
            c.ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .header("Origin", LocalStack.baseUrl())
                    .subprotocols("quarkus", URLEncoder.encode("quarkus-http-upgrade#Authorization#Bearer " + token,
                            StandardCharsets.UTF_8).replace("+", "%20"))
                    .buildAsync(uri, c).get(10, TimeUnit.SECONDS);
            c.next("ready");
            return c;
        }

        void awaitCompleted(int turns) throws InterruptedException {
            for (int i = 0; i < turns; i++) {
                next("message.completed");
            }
        }

        private JsonNode next(String type) throws InterruptedException {
            Instant deadline = Instant.now().plus(PATIENCE);
            while (true) {
                JsonNode f = frames.poll(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
                assertNotNull(f, "a '" + type + "' frame on the live connection");
                if (type.equals(f.path("type").asText())) {
                    return f;
                }
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    frames.add(JSON.createObjectNode().put("type", "unparseable"));
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            if (ws != null) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
            }
        }
    }

    // ---- the Prometheus HTTP API ----------------------------------------------------------------

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode apiGet(String path) throws Exception {
        assertTrue(prometheus.isAlive(), () -> "prometheus exited:\n" + readLog());
        HttpResponse<String> r = get(api + path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("success", body.path("status").asText(), r.body());
        return body.path("data");
    }

    /** An instant query's result vector. */
    private static JsonNode query(String promql) throws Exception {
        JsonNode data = apiGet("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertEquals("vector", data.path("resultType").asText(), promql);
        return data.path("result");
    }

    /** The single value of an aggregating query; 0 when the series does not exist (yet). */
    private static double scalar(String promql) throws Exception {
        JsonNode result = query(promql);
        assertTrue(result.size() <= 1, promql + " -> " + result);
        return result.isEmpty() ? 0 : value(result.get(0));
    }

    private static double value(JsonNode sample) {
        return Double.parseDouble(sample.path("value").get(1).asText());
    }

    private static void atLeast(Map<String, String> key, Map<String, Double> before, String name, double delta)
            throws Exception {
        double now = scalar(key.get(name));
        assertTrue(now >= before.get(name) + delta,
                key.get(name) + " = " + now + ", expected at least " + before.get(name) + " + " + delta);
    }

    private static void increased(Map<String, String> key, Map<String, Double> before, String name) throws Exception {
        double now = scalar(key.get(name));
        assertTrue(now > before.get(name), key.get(name) + " = " + now + ", expected more than " + before.get(name));
    }

    // ---- processes and files --------------------------------------------------------------------

    private record ProcessResult(int exit, String output) {
    }

    private static ProcessResult exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished: " + command);
        return new ProcessResult(p.exitValue(), output);
    }

    /** Debian's binaries from PATH (infra/local/test.sh installs the package), overridable for other layouts. */
    private static String tool(String name) {
        return System.getProperty("e2e." + name, name);
    }

    private static String readLog() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
