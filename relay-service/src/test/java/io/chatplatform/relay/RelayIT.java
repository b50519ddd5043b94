package io.chatplatform.relay;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;

/**
 * The packaged relay (the jar here, the native executable under -Pnative) on its serving paths: the web UI,
 * health, metrics, a WebSocket upgrade checked against the (faked) session owner, live delivery from Redis and a
 * resume. Under -Paot these requests are also the training run of the AOT cache.
 */
@QuarkusIntegrationTest
// restricted: an unrestricted resource would configure every @QuarkusTest of the module too
@QuarkusTestResource(value = RelayItConfig.class, restrictToAnnotatedClass = true)
class RelayIT {

    static EventPublisher events;
    static final List<String> sessions = new ArrayList<>();

    @BeforeAll
    static void startPublisher() {
        events = new EventPublisher();
    }

    @AfterAll
    static void cleanUp() {
        events.delete(sessions);
        events.close();
    }

    @Test
    void servesTheWebUiHealthAndMetrics() {
        given().get("/").then().statusCode(200).body(containsString("<html"));
        given().port(RelayItConfig.MANAGEMENT_PORT).get("/q/health/ready").then().statusCode(200).body(containsString("UP"));
        given().port(RelayItConfig.MANAGEMENT_PORT).get("/q/metrics").then().statusCode(200).body(containsString("relay_connections"));
    }

    @Test
    void deliversLiveEventsAndResumesAfterTheLastSeenId() throws Exception {
        String session = UUID.randomUUID().toString();
        sessions.add(session);
        String token = TestTokens.token(UUID.randomUUID().toString());
        FakeNeighbours.own(session, token);

        WsClient first = connect(session, token, null);
        assertFalse(first.nextOfType("ready", 5000).get("resumed").asBoolean());
        for (int i = 0; i < 20; i++) {
            events.delta(session, i);
        }
        List<JsonNode> live = first.collect("message.delta", 20, 10000);
        assertEquals(19, live.get(19).get("n").asInt());
        first.close();

        String lastSeen = live.get(9).get("id").asText();
        WsClient resumed = connect(session, token, lastSeen);
        List<JsonNode> rest = resumed.collect("message.delta", 10, 10000);
        assertEquals(10, rest.get(0).get("n").asInt(), "resume starts right after the last seen id");
        assertEquals(19, rest.get(9).get("n").asInt());
        resumed.close();
    }

    /** A cold process (or one recording the AOT cache) may miss the client's 5 s connect timeout once. */
    private static WsClient connect(String session, String token, String lastSeen) {
        for (int attempt = 1; ; attempt++) {
            try {
                return WsClient.connect(RestAssured.port, session, token, lastSeen);
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof HttpTimeoutException) || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    @Test
    void refusesAnUpgradeForSomeoneElsesSession() {
        String session = UUID.randomUUID().toString();
        FakeNeighbours.own(session, TestTokens.token(UUID.randomUUID().toString()));
        int status = WsClient.refusedStatus(WsClient.uri(RestAssured.port, session, null),
                TestTokens.token(UUID.randomUUID().toString()), "http://localhost:8080");
        assertEquals(404, status, "a session the caller does not own");
    }
}
