package io.chatplatform.common.token;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How access tokens are verified off the request path: the JWKS named by {@code mp.jwt.verify.publickey.location}
 * is fetched in the background, kept when a fetch fails, and successfully verified tokens are remembered
 * until their {@code exp}.
 */
@ConfigMapping(prefix = "platform.jwt")
public interface TokenConfig {

    /** How often a JWKS fetched over HTTP is refreshed while it is healthy (auth-service serves max-age=300). */
    @WithDefault("PT5M")
    Duration jwksRefreshInterval();

    /** First delay before retrying a failed fetch; doubles up to {@link #jwksRefreshInterval()}. */
    @WithDefault("PT1S")
    Duration jwksRetryInterval();

    /** A token naming an unknown {@code kid} (a key rotation) triggers a refresh at most this often. */
    @WithDefault("PT30S")
    Duration kidMissRefreshInterval();

    /** Connect and response timeout of one JWKS fetch. */
    @WithDefault("PT5S")
    Duration jwksFetchTimeout();

    /** Verified tokens remembered (by SHA-256) so a repeated token costs one hash instead of an RSA check. */
    @WithDefault("10000")
    int verifiedCacheSize();

    Revocation revocation();

    /** Revoked refresh families and users (DESIGN "Identity"), held in memory by {@link RevokedTokens}. */
    interface Revocation {

        /** How long a revocation lives: the access-token lifetime (15 min) plus the clock skew (60 s). */
        @WithDefault("PT16M")
        Duration ttl();

        /** The index is read again this often, a safety net beside the channel and its reconnects. */
        @WithDefault("PT30S")
        Duration reloadInterval();

        /** Delay before a lost or failed channel subscription is tried again. */
        @WithDefault("PT2S")
        Duration retryInterval();
    }
}
