package io.chatplatform.chat.limits;

import io.chatplatform.common.ratelimit.RateLimiter;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code RateLimit-Limit/Remaining/Reset} headers of a rate-limit decision, for answers and problems alike. */
public final class RateLimitHeaders {

    private RateLimitHeaders() {
    }

    public static Map<String, String> of(RateLimiter.Decision d) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("RateLimit-Limit", Long.toString(d.limit()));
        h.put("RateLimit-Remaining", Long.toString(d.remaining()));
        // whole seconds, rounded up: a client waiting this long is never early
        h.put("RateLimit-Reset", Long.toString(Math.max(0, (d.reset().toMillis() + 999) / 1000)));
        return h;
    }
}
