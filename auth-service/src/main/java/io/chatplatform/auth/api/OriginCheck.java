package io.chatplatform.auth.api;

import io.chatplatform.auth.AuthConfig;
import io.chatplatform.common.problem.ProblemException;
import jakarta.ws.rs.Priorities;
import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;

import java.net.URI;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses {@link SameOrigin} requests from another origin. Browsers send {@code Origin} on every
 * cross-origin POST (and {@code null} from sandboxed or privacy-sensitive contexts, refused too); a
 * request without it is not a browser's cross-site request (curl, server tools) and passes.
 * Allowed: the origin of {@code PUBLIC_BASE_URL} and each of {@code CORS_ORIGINS}.
 */
@Provider
@SameOrigin
@Priority(Priorities.AUTHENTICATION - 100)
public class OriginCheck implements ContainerRequestFilter {

    /** Read on first use: JAX-RS providers are built before the configuration mappings exist. */
    private final jakarta.inject.Provider<AuthConfig> config;
    private volatile Set<String> allowed;

    public OriginCheck(jakarta.inject.Provider<AuthConfig> config) {
        this.config = config;
    }

    private Set<String> allowed() {
        Set<String> a = allowed;
        if (a == null) {
            a = new HashSet<>();
            a.add(origin(config.get().publicBaseUrl()));
            for (String o : config.get().allowedOrigins().orElse(java.util.List.of())) {
                a.add(origin(o));
            }
            allowed = a;
        }
        return a;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String origin = request.getHeaderString("Origin");
        if (origin != null && !allowed().contains(origin(origin))) {
            throw ProblemException.forbidden("Cross-origin request refused: this route accepts requests only from the web UI's origin.");
        }
    }

    /** scheme://host[:port], lower case, without a default port or a trailing path: how browsers send Origin. */
    static String origin(String url) {
        try {
            URI u = URI.create(url.trim());
            if (u.getScheme() == null || u.getHost() == null) {
                return url.trim().toLowerCase(Locale.ROOT);
            }
            String scheme = u.getScheme().toLowerCase(Locale.ROOT);
            int port = u.getPort();
            boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
            return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (IllegalArgumentException e) {
            return url.trim().toLowerCase(Locale.ROOT);
        }
    }
}
