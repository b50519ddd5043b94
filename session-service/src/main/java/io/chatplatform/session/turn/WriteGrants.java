package io.chatplatform.session.turn;

import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.session.SessionsConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Write grants: what lets chat-service store a turn's answer without the user's (short-lived) access
 * token. A grant is {@code base64url(payload) "." base64url(HMAC-SHA256(key, payload))}, the payload
 * being a version byte, the session id, the answer id, the user id and the expiry (epoch seconds).
 * Stateless, so any replica holding the same key verifies it; the MAC is compared in constant time.
 */
@ApplicationScoped
@Startup // a missing or short key fails the start, not the first turn
public class WriteGrants {

    /** The scope a valid grant carries. */
    public record Grant(UUID sessionId, UUID answerId, UUID userId, Instant expiresAt) {
    }

    static final String SCHEME = "Grant";
    private static final byte VERSION = 1;
    private static final int PAYLOAD = 1 + 16 * 3 + 8;
    private static final int MIN_KEY_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final Duration ttl;

    @Inject
    public WriteGrants(SessionsConfig config) {
        this(decodeKey(config.grantKey()), config.grantTtl());
    }

    /** A signer with its own key (another deployment's key, in tests). */
    public WriteGrants(byte[] key, Duration ttl) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalStateException("sessions.grant-key (SESSION_GRANT_KEY) must be base64 of at least "
                    + MIN_KEY_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.ttl = ttl;
    }

    private static byte[] decodeKey(String base64) {
        try {
            return Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("sessions.grant-key (SESSION_GRANT_KEY) is not valid base64");
        }
    }

    /** When a grant issued at {@code issuedAt} expires. */
    public Instant expiryFor(Instant issuedAt) {
        return issuedAt.plus(ttl);
    }

    public String issue(UUID sessionId, UUID answerId, UUID userId, Instant expiresAt) {
        byte[] payload = ByteBuffer.allocate(PAYLOAD).put(VERSION)
                .putLong(sessionId.getMostSignificantBits()).putLong(sessionId.getLeastSignificantBits())
                .putLong(answerId.getMostSignificantBits()).putLong(answerId.getLeastSignificantBits())
                .putLong(userId.getMostSignificantBits()).putLong(userId.getLeastSignificantBits())
                .putLong(expiresAt.getEpochSecond()).array();
        return B64.encodeToString(payload) + "." + B64.encodeToString(mac(payload));
    }

    /**
     * The grant in an {@code Authorization: Grant <grant>} header; 401 when it is missing, forged or
     * expired. Whether it is for the right session and answer is the caller's check (403).
     */
    public Grant verify(String authorization) {
        String token = authorization == null || !authorization.regionMatches(true, 0, SCHEME + " ", 0, SCHEME.length() + 1)
                ? null : authorization.substring(SCHEME.length() + 1).strip();
        if (token == null || token.isEmpty()) {
            throw unauthorized("A write grant is required (Authorization: Grant <write_grant>).");
        }
        ByteBuffer payload = signedPayload(token);
        if (payload == null) {
            throw unauthorized("The write grant is not valid.");
        }
        Grant grant = new Grant(new UUID(payload.getLong(), payload.getLong()),
                new UUID(payload.getLong(), payload.getLong()), new UUID(payload.getLong(), payload.getLong()),
                Instant.ofEpochSecond(payload.getLong()));
        if (!Instant.now().isBefore(grant.expiresAt())) {
            throw unauthorized("The write grant has expired.");
        }
        return grant;
    }

    /** The payload after its version byte when the MAC is ours, else null. */
    private ByteBuffer signedPayload(String token) {
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return null;
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = Base64.getUrlDecoder().decode(token.substring(0, dot));
            signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (payload.length != PAYLOAD || !MessageDigest.isEqual(mac(payload), signature) || payload[0] != VERSION) {
            return null;
        }
        return ByteBuffer.wrap(payload, 1, PAYLOAD - 1);
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256"); // not thread-safe: one per call (cheap next to the request)
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "Unauthorized", detail).header("WWW-Authenticate", SCHEME);
    }
}
