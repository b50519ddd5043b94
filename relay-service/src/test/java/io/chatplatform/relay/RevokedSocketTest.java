package io.chatplatform.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatplatform.common.token.TokenRevoker;
import io.chatplatform.relay.socket.RelayCloseCodes;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * DESIGN "Identity": an open socket whose token is revoked (logout, device sign-out, account deletion) is closed
 * with 4001 at once, and a revoked token no longer upgrades. Revocations are written as auth-service writes them.
 */
@QuarkusTest
@QuarkusTestResource(FakeNeighbours.class)
class RevokedSocketTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    TokenRevoker revoker;

    String user;
    String session;

    @BeforeEach
    void setUp() {
        FakeNeighbours.boot();
        user = UUID.randomUUID().toString();
        session = UUID.randomUUID().toString();
    }

    @Test
    void aSignedOutDevicesSocketIsClosedWith4001AndItsOtherDevicesStayOpen() throws Exception {
        String family = UUID.randomUUID().toString();
        String token = TestTokens.token(user, family);
        String otherDevice = TestTokens.token(user, UUID.randomUUID().toString());
        WsClient signedOut = open(token);
        WsClient stays = open(otherDevice);

        revoker.revokeFamily(family);

        assertEquals(RelayCloseCodes.TOKEN_EXPIRED, signedOut.awaitClose(3000));
        stays.send("{\"type\":\"ping\"}");
        assertNotNull(stays.nextOfType("pong", 3000), "the other device's socket is still open");
        stays.close();
        assertEquals(401, WsClient.refusedStatus(WsClient.uri(port, session, null), token, "http://localhost:8080"));
    }

    @Test
    void everySocketOfADeletedAccountIsClosedWith4001() throws Exception {
        WsClient laptop = open(TestTokens.token(user, UUID.randomUUID().toString()));
        WsClient phone = open(TestTokens.token(user, UUID.randomUUID().toString()));

        revoker.revokeUser(user, Instant.now());

        assertEquals(RelayCloseCodes.TOKEN_EXPIRED, laptop.awaitClose(3000));
        assertEquals(RelayCloseCodes.TOKEN_EXPIRED, phone.awaitClose(3000));
    }

    private WsClient open(String token) throws InterruptedException {
        FakeNeighbours.own(session, token);
        WsClient c = WsClient.connect(port, session, token, null);
        c.nextOfType("ready", 5000);
        return c;
    }
}
