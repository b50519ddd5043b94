package io.chatplatform.auth;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** The counters of issue 3, Prometheus names as written there (Micrometer appends {@code _total}). */
// created at start-up, not on first use: the series exist (at zero) before the first request
@Startup
@ApplicationScoped
public class Metrics {

    public static final String SCOPE_MAGIC_EMAIL = "magic_link_email";
    public static final String SCOPE_MAGIC_IP = "magic_link_ip";
    public static final String SCOPE_MAGIC_BROWSER = "magic_link_browser";
    public static final String SCOPE_VERIFY_IP = "verify_ip";
    public static final String SCOPE_VERIFY_BROWSER = "verify_browser";

    private final MeterRegistry registry;

    public Metrics(MeterRegistry registry) {
        this.registry = registry;
        // present from the start, so dashboards and rate() see zeros rather than gaps
        registry.counter("auth_magic_links_requested");
        for (String outcome : List.of("success", "invalid", "confirmation_required", "wrong_code", "burned")) {
            registry.counter("auth_logins", "outcome", outcome);
        }
        for (String outcome : List.of("success", "grace", "reuse", "invalid", "expired", "missing")) {
            registry.counter("auth_refresh", "outcome", outcome);
        }
        for (String scope : List.of(SCOPE_MAGIC_EMAIL, SCOPE_MAGIC_IP, SCOPE_MAGIC_BROWSER, SCOPE_VERIFY_IP,
                SCOPE_VERIFY_BROWSER)) {
            registry.counter("auth_rate_limited_total", "scope", scope); // same meter platform-common's RateLimiter increments
        }
    }

    public void magicLinkRequested() {
        registry.counter("auth_magic_links_requested").increment();
    }

    public void login(String outcome) {
        registry.counter("auth_logins", "outcome", outcome).increment();
    }

    public void refresh(String outcome) {
        registry.counter("auth_refresh", "outcome", outcome).increment();
    }
}
