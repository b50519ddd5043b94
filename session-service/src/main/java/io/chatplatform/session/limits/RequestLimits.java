package io.chatplatform.session.limits;

import io.chatplatform.common.ratelimit.RateLimiter;
import io.chatplatform.session.SessionsConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.UUID;

/**
 * One account must not be able to flood the stores: appends and searches are counted per user across every
 * replica (platform-common's Redis windows, {@code ratelimit:session:{scope}:{user}}); beyond the limit the
 * request answers 429 with {@code Retry-After} before any database work.
 */
@ApplicationScoped
public class RequestLimits {

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final RateLimiter limiter;
    private final SessionsConfig.Limits config;

    public RequestLimits(RateLimiter limiter, SessionsConfig config) {
        this.limiter = limiter;
        this.config = config.limits();
    }

    public void append(UUID user) {
        limiter.enforce("append", user.toString(), config.appendsPerMinute(), WINDOW);
    }

    public void search(UUID user) {
        limiter.enforce("search", user.toString(), config.searchesPerMinute(), WINDOW);
    }
}
