package io.chatplatform.auth.magic;

import io.chatplatform.auth.AuthConfig;
import io.chatplatform.auth.Metrics;
import io.chatplatform.auth.Secrets;
import io.chatplatform.common.ratelimit.RateLimiter;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.regex.Pattern;

/**
 * Who a sign-in request counts against (429 problems with Retry-After beyond a bound). Link requests: the
 * address, always, and the client IP (as Quarkus' proxy support resolved it: X-Forwarded-For only from a
 * trusted proxy), with a bound sized for many users behind one NAT. A browser that presents the nonce cookie
 * of its own pending sign-in (it got it from an earlier accepted request) counts per browser instead of per
 * IP: a noisy neighbour that exhausted the address' bound cannot lock it out. Verifications likewise, per IP
 * or per such browser; wrong codes have budgets of their own ({@link MagicLinkStore#claimCode}).
 */
@ApplicationScoped
public class SignInLimits {

    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final RateLimiter limiter;
    private final MagicLinkStore store;
    private final AuthConfig.Limits limits;

    public SignInLimits(RateLimiter limiter, MagicLinkStore store, AuthConfig config) {
        this.limiter = limiter;
        this.store = store;
        this.limits = config.limits();
    }

    void magicLink(String emailHash, String nonce, String clientIp) {
        String browser = knownBrowser(nonce);
        if (browser != null) {
            limiter.enforce(Metrics.SCOPE_MAGIC_BROWSER, browser, limits.magicLinkPerBrowser(), limits.magicLinkWindow());
        } else {
            limiter.enforce(Metrics.SCOPE_MAGIC_IP, clientIp, limits.magicLinkPerIp(), limits.magicLinkWindow());
        }
        limiter.enforce(Metrics.SCOPE_MAGIC_EMAIL, emailHash, limits.magicLinkPerEmail(), limits.magicLinkWindow());
    }

    void verify(String nonce, String clientIp) {
        String browser = knownBrowser(nonce);
        if (browser != null) {
            limiter.enforce(Metrics.SCOPE_VERIFY_BROWSER, browser, limits.verifyPerBrowser(), limits.verifyWindow());
        } else {
            limiter.enforce(Metrics.SCOPE_VERIFY_IP, clientIp, limits.verifyPerIp(), limits.verifyWindow());
        }
    }

    /** The nonce's hash when a pending sign-in holds it (a made-up nonce is counted per IP), else null. */
    private String knownBrowser(String nonce) {
        if (nonce == null || !NONCE.matcher(nonce).matches()) {
            return null;
        }
        String hash = Secrets.sha256Hex(nonce);
        return store.knowsBrowser(hash) ? hash : null;
    }
}
