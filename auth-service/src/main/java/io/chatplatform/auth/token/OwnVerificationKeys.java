package io.chatplatform.auth.token;

import io.chatplatform.common.token.VerificationKeys;
import jakarta.enterprise.context.ApplicationScoped;
import org.jose4j.jwk.PublicJsonWebKey;

import java.util.List;

/**
 * auth-service verifies its own tokens (/api/auth/me, /api/auth/sessions) with the keys it publishes, held
 * in memory: never over HTTP to itself (fetching its own JWKS on the event loop once froze it for 20 s).
 * Replaces platform-common's JWKS fetcher; every other check stays the same as in the other services.
 */
@ApplicationScoped
public class OwnVerificationKeys implements VerificationKeys {

    private final SigningKeys keys;

    public OwnVerificationKeys(SigningKeys keys) {
        this.keys = keys;
    }

    @Override
    public List<PublicJsonWebKey> current() {
        return keys.publicKeys();
    }
}
