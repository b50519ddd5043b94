package io.chatplatform.common.token;

import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.UnresolvableKeyException;

import java.security.Key;
import java.util.List;

/** Hands jose4j the held key for a token's {@code kid}; a miss refuses the token and asks for a background refresh. */
final class HeldKeyResolver implements VerificationKeyResolver {

    private final VerificationKeys keys;

    HeldKeyResolver(VerificationKeys keys) {
        this.keys = keys;
    }

    @Override
    public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nestingContext) throws UnresolvableKeyException {
        String kid = jws.getKeyIdHeaderValue();
        return VerificationKeys.select(keys.current(), kid)
                .map(k -> (Key) k.getPublicKey())
                .orElseThrow(() -> {
                    keys.missed(kid);
                    return new UnresolvableKeyException("No verification key held for kid " + kid);
                });
    }
}
