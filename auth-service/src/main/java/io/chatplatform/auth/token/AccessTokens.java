package io.chatplatform.auth.token;

import io.chatplatform.auth.AuthConfig;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** Issues the platform's access tokens: RS256, claims and header exactly as DESIGN.md "Identity" fixes them. */
@ApplicationScoped
public class AccessTokens {

    /** RFC 9068 media type: only a token carrying it passes as an access token anywhere in the platform. */
    public static final String TYPE = "at+jwt";

    public record Issued(String token, long expiresIn) {
    }

    private final SigningKeys keys;
    private final AuthConfig config;

    public AccessTokens(SigningKeys keys, AuthConfig config) {
        this.keys = keys;
        this.config = config;
    }

    /** {@code familyId} becomes {@code sid}: logout and device sign-out revoke the family's access tokens by it. */
    public Issued issue(UUID userId, String email, UUID familyId) {
        Instant now = Instant.now();
        long ttl = config.accessToken().ttl().toSeconds();
        String token = Jwt.claims()
                .issuer(config.issuer())
                .audience(config.audience())
                .subject(userId.toString())
                .upn(email)
                .groups(Set.of("user"))
                .claim("jti", UUID.randomUUID().toString())
                .claim("sid", familyId.toString())
                .issuedAt(now)
                .expiresAt(now.plusSeconds(ttl))
                .jws()
                .algorithm(SignatureAlgorithm.RS256)
                .keyId(keys.kid())
                .header("typ", TYPE)
                .sign(keys.privateKey());
        return new Issued(token, ttl);
    }
}
