package io.chatplatform.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.smallrye.mutiny.Uni;

/** Asks session-service whether the session is the caller's; positive answers are cached briefly. */
@ApplicationScoped
public class OwnershipService {

    public enum Verdict {
        OWNED, NOT_FOUND, UNAUTHORIZED, UNAVAILABLE
    }

    private static final int MAX_ENTRIES = 50_000;

    private final SessionServiceClient sessions;
    private final RelayConfig config;
    private final Map<String, Long> owned = new ConcurrentHashMap<>();

    public OwnershipService(@RestClient SessionServiceClient sessions, RelayConfig config) {
        this.sessions = sessions;
        this.config = config;
    }

    public Uni<Verdict> check(String userId, String sessionId, String bearer) {
        String key = userId + '|' + sessionId;
        Long until = owned.get(key);
        long now = System.currentTimeMillis();
        if (until != null && until > now) {
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
                        if (owned.size() > MAX_ENTRIES) {
                            owned.clear(); // crude bound; entries are cheap to re-check
                        }
                        owned.put(key, now + config.ownershipCacheTtl().toMillis());
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

    /** Forget a session (e.g. after a 404 from chat-service) so the next upgrade asks again. */
    public void forget(String userId, String sessionId) {
        owned.remove(userId + '|' + sessionId);
    }
}
