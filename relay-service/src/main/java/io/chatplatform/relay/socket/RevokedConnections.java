package io.chatplatform.relay.socket;

import io.chatplatform.common.token.TokenRevocation;
import io.chatplatform.common.token.TokensRevoked;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Closes open sockets whose token was revoked (DESIGN "Identity") with 4001, like an expired one: the page refreshes
 * its token, which fails for a signed-out device or a deleted account. The revocation arrives on the event loop of
 * platform-common's feed; {@link ClientConnection#close} is safe from any thread and nothing here blocks.
 */
@ApplicationScoped
public class RevokedConnections {

    private final ConnectionRegistry registry;
    private final TokenRevocation revocation;

    public RevokedConnections(ConnectionRegistry registry, TokenRevocation revocation) {
        this.registry = registry;
        this.revocation = revocation;
    }

    /** Two map lookups per open socket: cheaper than keeping an index of sockets by family and user. */
    void onRevoked(@Observes TokensRevoked event) {
        for (ClientConnection c : registry.all()) {
            closeIfRevoked(c);
        }
    }

    public void closeIfRevoked(ClientConnection c) {
        if (!c.isClosing() && revocation.isRevoked(c.token())) {
            c.close(RelayCloseCodes.TOKEN_EXPIRED, "token_revoked", "token_revoked");
        }
    }
}
