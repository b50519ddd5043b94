package io.chatplatform.deploytests;

import static io.chatplatform.deploytests.Repo.list;
import static io.chatplatform.deploytests.Repo.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** infra/prometheus (checked and unit-tested with promtool) and the Grafana dashboard. */
class PrometheusAndDashboardTest {

    static final Path RULES = Repo.PROMETHEUS.resolve("alerts.yml");
    static final Path RULES_TEST = Repo.PROMETHEUS.resolve("alerts-test.yml");
    static final Path LOCAL_CONFIG = Repo.PROMETHEUS.resolve("prometheus-local.yml");
    static final Path DASHBOARD = Repo.GRAFANA.resolve("chat-path-dashboard.json");

    static Repo.Result promtool(String... args) {
        String promtool = Repo.requireTool("promtool", Repo.PROMTOOL_HINT);
        String[] cmd = new String[args.length + 1];
        cmd[0] = promtool;
        System.arraycopy(args, 0, cmd, 1, args.length);
        return Repo.run(60, cmd);
    }

    static void assertPromtool(String what, Repo.Result r) {
        assertEquals(0, r.exit(), what + " failed:\n" + r.out() + r.err());
    }

    @Test
    void alertRulesPassPromtoolCheckAndTheirUnitTests() {
        assertPromtool("promtool check rules alerts.yml", promtool("check", "rules", RULES.toString()));
        assertPromtool("promtool test rules alerts-test.yml", promtool("test", "rules", RULES_TEST.toString()));
    }

    @Test
    void localScrapeConfigPassesPromtoolAndScrapesEveryServiceAndTheStub() {
        assertPromtool("promtool check config prometheus-local.yml", promtool("check", "config", LOCAL_CONFIG.toString()));
        Map<String, Object> cfg = Repo.cast(new Yaml(new LoaderOptions()).load(Repo.read(LOCAL_CONFIG)));
        Map<String, String> targets = new LinkedHashMap<>();
        for (Object job : list(cfg, "scrape_configs")) {
            for (Object sc : list(job, "static_configs")) {
                for (Object t : list(sc, "targets")) {
                    targets.put(String.valueOf(t), str(job, "job_name") + " " + str(job, "metrics_path"));
                }
            }
        }
        for (String service : Repo.SERVICES) {
            // run.sh's management port (health, metrics): not the HTTP port, which serves no /q/ route
            String target = "localhost:" + (Repo.httpPort(service) + Repo.LOCAL_MANAGEMENT_OFFSET);
            // job = the service name, as the ServiceMonitor's job label in the cluster: one set of rules for both
            assertEquals(service + " /q/metrics", targets.get(target), "scrape job for " + target);
        }
        assertEquals("llm-stub /q/metrics", targets.get("localhost:8089"), "scrape job for the stand-in model");
    }

    @Test
    void alertsCoverTheAgreedConditions() {
        Map<String, String> exprByAlert = new LinkedHashMap<>();
        Map<String, Object> rules = Repo.cast(new Yaml(new LoaderOptions()).load(Repo.read(RULES)));
        for (Object group : list(rules, "groups")) {
            for (Object rule : list(group, "rules")) {
                if (str(rule, "alert") != null) {
                    exprByAlert.put(str(rule, "alert"), str(rule, "expr"));
                    assertTrue(str(rule, "labels", "severity") != null, str(rule, "alert") + " has no severity");
                    assertTrue(str(rule, "annotations", "summary") != null, str(rule, "alert") + " has no summary");
                }
            }
        }
        Map<String, String> required = new LinkedHashMap<>();
        required.put("ServiceDown", "up{");
        required.put("HighServerErrorRate", "http_server_requests_seconds_count{status=~\"5..\"}");
        required.put("ChatTimeToFirstTokenHigh", "histogram_quantile(0.95, sum by (le) (rate(chat_time_to_first_token_seconds_bucket");
        required.put("RelayDeliveryLagHigh", "histogram_quantile(0.99, sum by (le) (rate(relay_delivery_lag_seconds_bucket");
        required.put("RateLimitSurge", "_rate_limited_total");
        required.put("Http429Surge", "status=\"429\"");
        required.put("ServiceNotReady", "kube_pod_container_status_ready");
        required.put("ServiceDependencyUnavailable", "readiness_check_status");
        List<String> problems = new ArrayList<>();
        required.forEach((alert, fragment) -> {
            String expr = exprByAlert.get(alert);
            if (expr == null) {
                problems.add("no alert " + alert);
            } else if (!expr.contains(fragment)) {
                problems.add(alert + " should use " + fragment + ", is: " + expr);
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** Every dashboard query parses as PromQL (promtool checks it as a recording rule) and the key series are shown. */
    @Test
    void dashboardQueriesAreValidPromqlAndCoverTheChatPath(@TempDir Path tmp) throws IOException {
        Map<String, Object> dash = Repo.cast(new Yaml(new LoaderOptions()).load(Repo.read(DASHBOARD)));
        Set<String> exprs = new LinkedHashSet<>();
        Set<String> ids = new TreeSet<>();
        for (Object panel : list(dash, "panels")) {
            ids.add(str(panel, "id"));
            for (Object target : list(panel, "targets")) {
                exprs.add(str(target, "expr"));
            }
        }
        assertEquals(list(dash, "panels").size(), ids.size(), "panel ids must be unique");
        List<Map<String, Object>> recording = new ArrayList<>();
        int i = 0;
        for (String expr : exprs) {
            String promql = expr.replace("$__rate_interval", "5m").replace("$job", ".+");
            recording.add(Map.of("record", "dashboard:query" + i++, "expr", promql));
        }
        Map<String, Object> file = Map.of("groups", List.of(Map.of("name", "dashboard", "rules", recording)));
        DumperOptions opts = new DumperOptions();
        opts.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path rules = tmp.resolve("dashboard-queries.yml");
        Files.writeString(rules, new Yaml(opts).dump(file));
        assertPromtool("promtool check rules on the dashboard's queries", promtool("check", "rules", rules.toString()));

        String all = String.join("\n", exprs);
        List<String> missing = new ArrayList<>();
        for (String series : List.of("chat_time_to_first_token_seconds_bucket", "chat_llm_tokens_total", "chat_tool_calls_total",
                "relay_connections", "relay_delivery_lag_seconds_bucket", "relay_events_delivered_total", "_rate_limited_total",
                "status=\"429\"", "status=~\"5..\"", "http_server_requests_seconds_count{job=\"chat-service\"")) {
            if (!all.contains(series)) {
                missing.add(series);
            }
        }
        assertTrue(missing.isEmpty(), "the dashboard shows nothing for " + missing);
    }
}
