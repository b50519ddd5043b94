package io.chatplatform.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/** A full replica refuses new sockets with 503 and Retry-After, for every user, and takes them again once one closes. */
@QuarkusTest
@TestProfile(ReplicaCapTest.SmallReplica.class)
@QuarkusTestResource(FakeNeighbours.class)
class ReplicaCapTest {

    static final String ORIGIN = "http://localhost:8080";

    public static class SmallReplica implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.max-connections", "3");
        }
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    final List<WsClient> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(WsClient::close);
    }

    String[] ownedSession() {
        String session = UUID.randomUUID().toString();
        String token = TestTokens.token(UUID.randomUUID().toString());
        FakeNeighbours.own(session, token);
        return new String[] {session, token};
    }

    @Test
    void aFullReplicaAnswers503WithRetryAfterUntilASocketCloses() throws Exception {
        FakeNeighbours.boot();
        for (int i = 0; i < 3; i++) { // three users, one socket each: the per-user cap plays no part
            String[] s = ownedSession();
            WsClient c = WsClient.connect(port, s[0], s[1], null);
            open.add(c);
            c.nextOfType("ready", 10_000);
        }
        String[] late = ownedSession();
        WsClient.HandshakeFailed refused = assertThrows(WsClient.HandshakeFailed.class,
                () -> WsClient.connect(WsClient.uri(port, late[0], null), late[1], ORIGIN, true));
        assertEquals(503, refused.status);
        assertEquals("10", refused.headers.firstValue("Retry-After").orElse(null));
        // refused before the token check: a bad token gets the same answer, nothing more is learnt or spent
        assertEquals(503, WsClient.refusedStatus(WsClient.uri(port, late[0], null), "not-a-token", ORIGIN));
        String metrics = RestAssured.given().port(port).get("/q/metrics").asString();
        org.junit.jupiter.api.Assertions.assertTrue(
                metrics.contains("relay_upgrades_rejected_total{reason=\"replica_full\"}"), metrics);

        open.remove(0).close();
        Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> WsClient.refusedStatus(WsClient.uri(port, late[0], null), late[1], ORIGIN) == 101);
    }
}
