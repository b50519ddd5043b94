package io.chatplatform.common.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;

/**
 * Tokens that passed every check, by SHA-256 of the compact token, each until its own {@code exp}, at most
 * {@code platform.jwt.verified-cache-size} of them: a token presented again costs one hash. Only
 * successes are remembered; the raw token is never a key.
 */
@ApplicationScoped
public class VerifiedTokens {

    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private final Cache<String, JWTCallerPrincipal> cache;

    public VerifiedTokens(TokenConfig config) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(config.verifiedCacheSize())
                .expireAfter(Expiry.<String, JWTCallerPrincipal>creating((key, principal) -> untilExpiry(principal)))
                .build();
    }

    JWTCallerPrincipal get(String hash) {
        JWTCallerPrincipal principal = cache.getIfPresent(hash);
        // Caffeine expires lazily: never hand out a token past its exp
        return principal != null && principal.getExpirationTime() > System.currentTimeMillis() / 1000 ? principal : null;
    }

    void put(String hash, JWTCallerPrincipal principal) {
        if (!untilExpiry(principal).isZero()) {
            cache.put(hash, principal);
        }
    }

    /** Drops the remembered tokens that match, e.g. those of a revoked family or user. */
    public void invalidateIf(Predicate<JWTCallerPrincipal> match) {
        cache.asMap().values().removeIf(match);
    }

    static String hash(String token) {
        byte[] digest = sha256().digest(token.getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }

    /** A fresh digest per call, cloned: {@code getInstance} walks the providers on every request. */
    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Duration untilExpiry(JWTCallerPrincipal principal) {
        long seconds = principal.getExpirationTime() - System.currentTimeMillis() / 1000;
        return seconds > 0 ? Duration.ofSeconds(seconds) : Duration.ZERO;
    }
}
