package io.chatplatform.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Every setting of auth-service; environment variables are mapped in application.properties. */
@ConfigMapping(prefix = "auth")
public interface AuthConfig {

    /** {@code iss} of access tokens ({@code JWT_ISSUER}). */
    @WithDefault("chat-platform")
    String issuer();

    /** {@code aud} of access tokens. */
    @WithDefault("chat-platform")
    String audience();

    /** PKCS#8 PEM RSA private key: a file path, a class-path resource or the PEM text ({@code AUTH_SIGNING_KEY}). */
    String signingKey();

    /** PEM public key (path or text) of the previous signing key, published in the JWKS during a rotation. */
    Optional<String> previousPublicKey();

    /** Origin of the web UI the emailed link points at; never taken from the request. */
    @WithDefault("http://localhost:8080")
    String publicBaseUrl();

    /**
     * Further origins whose browsers may call the cookie routes ({@code CORS_ORIGINS}, comma separated);
     * the origin of {@link #publicBaseUrl()} is always allowed.
     */
    Optional<java.util.List<String>> allowedOrigins();

    AccessToken accessToken();

    MagicLink magicLink();

    Refresh refresh();

    Cookie cookie();

    Mail mail();

    Limits limits();

    Outbox outbox();

    interface AccessToken {
        @WithDefault("PT15M")
        Duration ttl();
    }

    interface MagicLink {
        @WithDefault("PT10M")
        Duration ttl();

        /** Path of the UI page that receives the link; the token travels in the URL fragment. */
        @WithDefault("/auth/callback")
        String path();

        /** Wrong 6-digit codes one browser may send before its pending logins are burnt. */
        @WithDefault("5")
        int maxCodeAttempts();

        /**
         * Wrong codes per address across all requests in {@link #wrongCodeWindow()}; at this count every
         * pending code of the address is void for the rest of the window (links still work) and the owner
         * is told by mail. 10 a day gives a guesser odds of 1 in 100,000 a day.
         */
        @WithDefault("10")
        int maxWrongCodesPerAddress();

        @WithDefault("P1D")
        Duration wrongCodeWindow();
    }

    interface Refresh {
        @WithDefault("P30D")
        Duration idleTtl();

        @WithDefault("P90D")
        Duration absoluteTtl();

        /** After a rotation, the old token still yields the same new pair for this long (parallel tabs). */
        @WithDefault("PT10S")
        Duration grace();
    }

    interface Cookie {
        /** Secure flag on the refresh and nonce cookies; off only for local http. */
        @WithDefault("true")
        boolean secure();
    }

    interface Mail {
        @WithDefault("no-reply@chat-platform.local")
        String from();

        /** Local stack only: print the magic link and code to the console at INFO. */
        @WithDefault("false")
        boolean logLinks();
    }

    interface Outbox {
        /** How often events that could not be published right after their commit are retried. */
        @WithDefault("5s")
        Duration drainInterval();
    }

    /**
     * Sign-in request limits (README "Security"). Per address and per client IP; the IP bounds are sized for
     * a NAT or a campus behind one address. A browser holding the nonce cookie of a pending sign-in is counted
     * per browser instead of per IP, so a noisy neighbour on its address cannot lock it out.
     */
    interface Limits {
        @WithDefault("5")
        int magicLinkPerEmail();

        @WithDefault("300")
        int magicLinkPerIp();

        @WithDefault("10")
        int magicLinkPerBrowser();

        @WithDefault("PT15M")
        Duration magicLinkWindow();

        @WithDefault("600")
        int verifyPerIp();

        @WithDefault("30")
        int verifyPerBrowser();

        @WithDefault("PT15M")
        Duration verifyWindow();
    }
}
