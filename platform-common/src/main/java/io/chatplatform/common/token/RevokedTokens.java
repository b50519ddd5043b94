package io.chatplatform.common.token;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The revocations this replica holds (DESIGN "Identity"): refresh families ({@code sid}) and deleted users with the
 * time of their deletion, each until its expiry. The token check runs on the event loop of every request, so it
 * only ever reads these maps; {@link RevocationFeed} fills them from Redis (index at start and after a reconnect,
 * the channel in between). A new entry also drops the matching tokens from {@link VerifiedTokens} and is announced
 * as {@link TokensRevoked} (the relay closes sockets, chat-service stops turns).
 */
@ApplicationScoped
public class RevokedTokens implements TokenRevocation {

    private record Deleted(long revokedAt, long expiresAtMs) {
    }

    private final Map<String, Long> families = new ConcurrentHashMap<>();
    private final Map<String, Deleted> users = new ConcurrentHashMap<>();
    private final VerifiedTokens verified;
    private final Event<TokensRevoked> announce;

    public RevokedTokens(VerifiedTokens verified, Event<TokensRevoked> announce) {
        this.verified = verified;
        this.announce = announce;
    }

    @Override
    public boolean isRevoked(JsonWebToken token) {
        long now = System.currentTimeMillis();
        String sid = sid(token);
        Long until = sid == null ? null : families.get(sid);
        if (until != null && until > now) {
            return true;
        }
        Deleted d = token.getSubject() == null ? null : users.get(token.getSubject());
        // a token without iat reads 0: dead too
        return d != null && d.expiresAtMs() > now && token.getIssuedAtTime() <= d.revokedAt();
    }

    /** True while the user's deletion is held: writes for them are refused (chat-service, after a turn). */
    public boolean userRevoked(String userId) {
        Deleted d = users.get(userId);
        return d != null && d.expiresAtMs() > System.currentTimeMillis();
    }

    /** One index member or channel message: {@code family:<sid>} or {@code user:<uid>:<epoch s>}, with its expiry. */
    void apply(String member, long expiresAtMs) {
        if (expiresAtMs <= System.currentTimeMillis()) {
            return;
        }
        if (member.startsWith("family:")) {
            String sid = member.substring("family:".length());
            Long before = families.put(sid, expiresAtMs);
            if (before == null) {
                verified.invalidateIf(p -> sid.equals(sid(p)));
                announce.fire(new TokensRevoked(sid, null, 0));
            }
        } else if (member.startsWith("user:")) {
            int colon = member.lastIndexOf(':');
            String uid = member.substring("user:".length(), colon);
            long at = Long.parseLong(member.substring(colon + 1));
            Deleted before = users.get(uid);
            if (before == null || before.revokedAt() < at) {
                users.put(uid, new Deleted(at, Math.max(expiresAtMs, before == null ? 0 : before.expiresAtMs())));
                verified.invalidateIf(p -> uid.equals(p.getSubject()) && p.getIssuedAtTime() <= at);
                announce.fire(new TokensRevoked(null, uid, at));
            }
        }
    }

    /** Forgets what has expired (the tokens it was about are expired too). */
    void purge() {
        long now = System.currentTimeMillis();
        families.values().removeIf(until -> until <= now);
        users.values().removeIf(d -> d.expiresAtMs() <= now);
    }

    static String sid(JsonWebToken token) {
        Object v = token.getClaim("sid");
        if (v instanceof JsonString s) {
            return s.getString();
        }
        return v == null ? null : v.toString();
    }
}
