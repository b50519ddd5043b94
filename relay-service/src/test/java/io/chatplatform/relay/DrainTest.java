package io.chatplatform.relay;

import io.chatplatform.relay.socket.ConnectionHousekeeping;
import io.chatplatform.relay.socket.RelayCloseCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The shutdown drain tells clients to reconnect after a jittered delay, then closes with 1012, and refuses new
 * upgrades from then on. Own profile: a drained relay stays drained, so it gets an application of its own.
 */
@QuarkusTest
@TestProfile(DrainTest.OwnApplication.class)
@QuarkusTestResource(FakeNeighbours.class)
class DrainTest {

    public static class OwnApplication implements QuarkusTestProfile {
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    @Inject
    ConnectionHousekeeping housekeeping;
    @Inject
    RelayConfig config;

    @Test
    void drainSendsJitteredReconnectThenCloses() throws Exception {
        FakeNeighbours.boot();
        String session = UUID.randomUUID().toString();
        String token = TestTokens.token(UUID.randomUUID().toString());
        FakeNeighbours.own(session, token);
        WsClient a = WsClient.connect(port, session, token, null);
        WsClient b = WsClient.connect(port, session, token, null);
        a.nextOfType("ready", 5000);
        b.nextOfType("ready", 5000);

        housekeeping.drain();

        for (WsClient c : new WsClient[] { a, b }) {
            JsonNode reconnect = c.nextOfType("reconnect", 5000);
            int delay = reconnect.get("delay_ms").asInt();
            assertTrue(delay >= config.drain().minDelayMs() && delay < config.drain().maxDelayMs(), "delay " + delay);
            assertEquals(RelayCloseCodes.SERVICE_RESTART, c.awaitClose(5000));
        }

        // a draining relay takes no new connections: the client's backoff finds another replica
        UpgradeAuthTest.assertRefusalCounted("draining", 503,
                () -> WsClient.refusedStatus(WsClient.uri(port, session, null), token, "http://localhost:8080"));
    }
}
