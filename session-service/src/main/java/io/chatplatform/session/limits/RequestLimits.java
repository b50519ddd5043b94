package io.chatplatform.session.limits;

import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.common.ratelimit.RateLimiter;
import io.chatplatform.session.SessionsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.UUID;

/**
 * One account must not be able to flood the stores: appends and searches are counted per user across every
 * replica (platform-common's Redis windows, {@code ratelimit:session:{scope}:{user}}); beyond the limit the
 * request answers 429 with {@code Retry-After} before any database work. When Redis cannot answer, the request
 * goes through: session-service is the source of truth and must not stop taking messages with a Redis blip.
 */
@ApplicationScoped
public class RequestLimits {

    private static final Logger LOG = Logger.getLogger(RequestLimits.class);
    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final RateLimiter limiter;
    private final SessionsConfig.Limits config;

    public RequestLimits(RateLimiter limiter, SessionsConfig config) {
        this.limiter = limiter;
        this.config = config.limits();
    }

    public void append(UUID user) {
        enforce("append", user, config.appendsPerMinute());
    }

    public void search(UUID user) {
        enforce("search", user, config.searchesPerMinute());
    }

    private void enforce(String scope, UUID user, int perMinute) {
        try {
            limiter.enforce(scope, user.toString(), perMinute, WINDOW);
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warnf("rate limit %s not checked (Redis: %s); request allowed", scope, e.getClass().getSimpleName());
        }
    }
}
