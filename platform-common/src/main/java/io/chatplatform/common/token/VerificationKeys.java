package io.chatplatform.common.token;

import org.jose4j.jwk.PublicJsonWebKey;

import java.util.List;
import java.util.Optional;

/**
 * The public keys tokens are verified with, always answered from memory: a request never waits for a key
 * fetch. {@link JwksKeys} (the default) reads the configured JWKS; auth-service supplies its own keys.
 */
public interface VerificationKeys {

    /** The keys held now; empty until the first successful load. */
    List<PublicJsonWebKey> current();

    /** Called when a token names a key that is not held: may refresh in the background, never blocks. */
    default void missed(String kid) {
    }

    /** Called once at start-up (off the event loop). */
    default void start() {
    }

    /** What the readiness check reports. */
    default Optional<String> lastError() {
        return Optional.empty();
    }

    /** The key for a token's {@code kid}: a key without a {@code kid} fits any token, a token without one fits a lone key. */
    static Optional<PublicJsonWebKey> select(List<PublicJsonWebKey> keys, String kid) {
        if (kid == null) {
            return keys.size() == 1 ? Optional.of(keys.get(0)) : Optional.empty();
        }
        return keys.stream().filter(k -> k.getKeyId() == null || kid.equals(k.getKeyId())).findFirst();
    }
}
