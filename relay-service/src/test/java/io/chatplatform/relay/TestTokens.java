package io.chatplatform.relay;

import java.security.PrivateKey;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.util.KeyUtils;

/** Access tokens shaped like auth-service's (RS256, kid, typ at+jwt, all DESIGN claims), signed with test keys. */
public final class TestTokens {

    private TestTokens() {
    }

    public static String token(String userId) {
        return token(userId, Instant.now().plusSeconds(900));
    }

    public static String token(String userId, Instant expiresAt) {
        return sign(claims(userId, expiresAt), "test-privateKey.pem");
    }

    /** {@code sid}: the refresh family (one login on one device) the token came from. */
    public static String token(String userId, String sid) {
        return sign(claims(userId, Instant.now().plusSeconds(900), sid), "test-privateKey.pem");
    }

    /** Same shape, but signed with a key the relay does not trust. */
    public static String forged(String userId) {
        return sign(claims(userId, Instant.now().plusSeconds(900)), "forged-privateKey.pem");
    }

    /** Correctly signed, but not an access token (another JOSE typ). */
    public static String ofType(String userId, String typ) {
        try {
            return claims(userId, Instant.now().plusSeconds(900)).jws().keyId("test-key").header("typ", typ)
                    .sign(KeyUtils.readPrivateKey("test-privateKey.pem"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JwtClaimsBuilder claims(String userId, Instant exp) {
        return claims(userId, exp, UUID.randomUUID().toString());
    }

    private static JwtClaimsBuilder claims(String userId, Instant exp, String sid) {
        return Jwt.issuer("chat-platform").audience("chat-platform").subject(userId)
                .upn(userId + "@example.test").groups(Set.of("user")).claim("jti", UUID.randomUUID().toString())
                .claim("sid", sid)
                .issuedAt(exp.minusSeconds(900)).expiresAt(exp);
    }

    private static String sign(JwtClaimsBuilder claims, String keyResource) {
        try {
            PrivateKey key = KeyUtils.readPrivateKey(keyResource);
            return claims.jws().keyId("test-key").header("typ", "at+jwt").sign(key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
