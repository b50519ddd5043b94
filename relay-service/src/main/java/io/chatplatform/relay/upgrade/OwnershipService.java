package io.chatplatform.relay.upgrade;

import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.smallrye.mutiny.Uni;

/**
 * Asks session-service whether the session is the caller's. Positive answers only are cached, in a bounded
 * Caffeine cache ({@code relay-ownership}: expire-after-write {@code relay.ownership-cache-ttl}, maximum size in
 * application.properties), so a reconnect storm does not turn into a storm on session-service.
 */
@ApplicationScoped
public class OwnershipService {

    public enum Verdict {
        OWNED, NOT_FOUND, UNAUTHORIZED, UNAVAILABLE
    }

    static final String CACHE = "relay-ownership";

    private final SessionServiceClient sessions;
    private final CaffeineCache owned;

    public OwnershipService(@RestClient SessionServiceClient sessions, @CacheName(CACHE) Cache owned) {
        this.sessions = sessions;
        this.owned = owned.as(CaffeineCache.class);
    }

    public Uni<Verdict> check(String userId, String sessionId, String bearer) {
        String key = key(userId, sessionId);
        if (owned.getIfPresent(key) != null) {
            return Uni.createFrom().item(Verdict.OWNED);
        }
        return sessions.get(sessionId, bearer).map(r -> {
            int status = r.getStatus();
            r.close();
            return verdict(status);
        }).onFailure(WebApplicationException.class)
                .recoverWithItem(e -> verdict(((WebApplicationException) e).getResponse().getStatus()))
                .onFailure().recoverWithItem(Verdict.UNAVAILABLE)
                .invoke(v -> {
                    if (v == Verdict.OWNED) {
                        owned.put(key, CompletableFuture.completedFuture(Boolean.TRUE));
                    }
                });
    }

    private static Verdict verdict(int status) {
        if (status >= 200 && status < 300) {
            return Verdict.OWNED;
        }
        if (status == 404 || status == 403 || status == 400) {
            return Verdict.NOT_FOUND;
        }
        if (status == 401) {
            return Verdict.UNAUTHORIZED;
        }
        return Verdict.UNAVAILABLE;
    }

    private static String key(String userId, String sessionId) {
        return userId + '|' + sessionId;
    }
}
