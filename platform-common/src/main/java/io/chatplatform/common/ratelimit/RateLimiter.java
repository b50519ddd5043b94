package io.chatplatform.common.ratelimit;

import io.chatplatform.common.problem.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;

/**
 * Fixed-window rate limits kept in Redis, so a limit holds across every replica of a service.
 * Keys follow DESIGN.md: {@code ratelimit:{service}:{scope}:{id}}.
 */
@ApplicationScoped
public class RateLimiter {

    /** INCR and set the window's expiry on first hit, atomically; returns {count, pttl}. */
    private static final String SCRIPT = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
            return {n, ttl}
            """;

    public record Decision(boolean allowed, long limit, long remaining, Duration reset) {
    }

    private final RedisDataSource redis;
    private final MeterRegistry registry;
    private final String service;

    public RateLimiter(RedisDataSource redis, MeterRegistry registry,
                       @ConfigProperty(name = "quarkus.application.name") String applicationName) {
        this.redis = redis;
        this.registry = registry;
        // "auth-service" -> "auth": the metric prefix and key segment of DESIGN.md
        this.service = applicationName.replace("-service", "");
    }

    /** Counts one hit against {@code scope}/{@code id} and reports whether it is within the limit. */
    public Decision hit(String scope, String id, long limit, Duration window) {
        String key = "ratelimit:" + service + ":" + scope + ":" + id;
        Response r = redis.execute("EVAL", SCRIPT, "1", key, Long.toString(window.toMillis()));
        long count = r.get(0).toLong();
        long ttl = r.get(1).toLong();
        boolean allowed = count <= limit;
        if (!allowed) {
            registry.counter(service + "_rate_limited_total", "scope", scope).increment();
        }
        return new Decision(allowed, limit, Math.max(0, limit - count), Duration.ofMillis(Math.max(ttl, 0)));
    }

    /** Like {@link #hit} but throws a 429 problem with {@code Retry-After} when over the limit. */
    public Decision enforce(String scope, String id, long limit, Duration window) {
        Decision d = hit(scope, id, limit, window);
        if (!d.allowed()) {
            throw ProblemException.tooManyRequests(d.reset(), "Too many requests; try again later.");
        }
        return d;
    }
}
