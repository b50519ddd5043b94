package io.chatplatform.common.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * The readiness checks (Redis, the database) as gauges, so Prometheus can alert on a dependency
 * that fails while the process still serves /q/metrics: {@code readiness_status} (1 ready, 0 not)
 * and {@code readiness_check_status{check}} per check. Prometheus never scrapes /q/health itself,
 * and smallrye-health has no metrics of its own, hence this small bridge.
 */
@ApplicationScoped
public class ReadinessMetrics {

    private final SmallRyeHealthReporter reporter;
    private final MeterRegistry registry;
    // 0 until the first check has run: not known to be ready
    private final AtomicInteger overall = new AtomicInteger(0);
    private final Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();

    public ReadinessMetrics(SmallRyeHealthReporter reporter, MeterRegistry registry) {
        this.reporter = reporter;
        this.registry = registry;
        Gauge.builder("readiness_status", overall, AtomicInteger::get)
                .description("1 when every readiness check (Redis, database) passes, else 0")
                .strongReference(true).register(registry);
    }

    /** Runs the same checks as /q/health/ready, off the event loop, at most one at a time. */
    @Scheduled(every = "${platform.readiness-metrics.every:10s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return reporter.getReadinessAsync().invoke(this::record).replaceWithVoid()
                .onFailure().invoke(e -> overall.set(0)).onFailure().recoverWithNull();
    }

    void record(SmallRyeHealth health) {
        JsonObject payload = health.getPayload();
        overall.set(health.isDown() ? 0 : 1);
        for (JsonValue v : payload.getJsonArray("checks")) {
            JsonObject check = v.asJsonObject();
            int up = "UP".equals(check.getString("status", "DOWN")) ? 1 : 0;
            checks.computeIfAbsent(check.getString("name", "unnamed"), name -> {
                AtomicInteger value = new AtomicInteger(up);
                Gauge.builder("readiness_check_status", value, AtomicInteger::get)
                        .description("1 when this readiness check passes, else 0")
                        .tag("check", name).strongReference(true).register(registry);
                return value;
            }).set(up);
        }
    }
}
