package io.chatplatform.auth.api;

import io.chatplatform.auth.AuthConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.NewCookie;

/** The two cookies of the login flow, both HttpOnly, SameSite=Strict and scoped to /api/auth. */
@ApplicationScoped
public class Cookies {

    public static final String REFRESH = "auth_refresh";
    public static final String NONCE = "auth_nonce";
    public static final String PATH = "/api/auth";

    private final AuthConfig config;

    public Cookies(AuthConfig config) {
        this.config = config;
    }

    public NewCookie refresh(String value, long maxAgeSeconds) {
        return cookie(REFRESH, value, (int) Math.min(Integer.MAX_VALUE, maxAgeSeconds));
    }

    public NewCookie nonce(String value) {
        return cookie(NONCE, value, (int) config.magicLink().ttl().toSeconds());
    }

    public NewCookie clear(String name) {
        return cookie(name, "", 0);
    }

    private NewCookie cookie(String name, String value, int maxAge) {
        return new NewCookie.Builder(name)
                .value(value)
                .path(PATH)
                .maxAge(maxAge)
                .httpOnly(true)
                .secure(config.cookie().secure())
                .sameSite(NewCookie.SameSite.STRICT)
                .build();
    }
}
