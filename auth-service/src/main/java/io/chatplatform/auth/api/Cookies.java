package io.chatplatform.auth.api;

import io.chatplatform.auth.AuthConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;

/**
 * The two cookies of the login flow, both HttpOnly and SameSite=Strict. When Secure (everywhere but
 * local http) they carry the {@code __Host-} prefix, so the browser takes them only from this origin
 * over https with {@code Path=/} and no Domain: a sibling subdomain or a plain-http page cannot plant
 * or overwrite them. Without Secure they keep their plain names, scoped to /api/auth.
 */
@ApplicationScoped
public class Cookies {

    public static final String REFRESH = "auth_refresh";
    public static final String NONCE = "auth_nonce";
    public static final String PATH = "/api/auth";

    private final AuthConfig config;

    public Cookies(AuthConfig config) {
        this.config = config;
    }

    /** The name the browser stores {@code base} ({@link #REFRESH} or {@link #NONCE}) under. */
    public String name(String base) {
        return config.cookie().secure() ? "__Host-" + base : base;
    }

    /** The value of cookie {@code base} in the request, under its configured name only. */
    public String value(HttpHeaders headers, String base) {
        Cookie c = headers.getCookies().get(name(base));
        return c == null ? null : c.getValue();
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
        boolean secure = config.cookie().secure();
        return new NewCookie.Builder(name(name))
                .value(value)
                .path(secure ? "/" : PATH)
                .maxAge(maxAge)
                .httpOnly(true)
                .secure(secure)
                .sameSite(NewCookie.SameSite.STRICT)
                .build();
    }
}
