package io.chatplatform.common.token;

import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Asked after the signature (and on every verified-token cache hit) whether a token is still alive, so
 * revocation (DESIGN.md "Identity": {@code auth:revoked:family:{sid}}, {@code auth:revoked:user:{uid}}) plugs
 * in without touching verification. Runs on the event loop: an implementation answers from memory.
 */
public interface TokenRevocation {

    boolean isRevoked(JsonWebToken token);
}
