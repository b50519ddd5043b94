package io.chatplatform.relay;

import io.chatplatform.relay.fanout.SessionHub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** A client that stops reading is cut off once its pending writes pass the bound; the others keep their pace. */
@QuarkusTest
@QuarkusTestResource(FakeNeighbours.class)
class SlowConsumerTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    @Inject
    SessionHub hub;

    @Test
    void slowConsumerIsDisconnectedAndDoesNotDelayAFastOne() throws Exception {
        FakeNeighbours.boot();
        String session = UUID.randomUUID().toString();
        String token = TestTokens.token(UUID.randomUUID().toString());
        FakeNeighbours.own(session, token);

        WsClient slow = WsClient.connect(WsClient.uri(port, session, null), token, "http://localhost:8080", false);
        WsClient fast = WsClient.connect(port, session, token, null);
        fast.nextOfType("ready", 5000);
        Awaitility.await().until(() -> hub.clientsOf(session) == 2);

        String padding = "p".repeat(16 * 1024);
        int n = 1000; // ~16 MB: far more than socket buffers and the pending bound can hold
        try (EventPublisher events = new EventPublisher()) {
            long start = System.currentTimeMillis();
            for (int i = 0; i < n; i++) {
                events.publish(session, "message.delta", "\"n\":" + i + ",\"delta\":\"" + padding + "\"", 2000);
                if (i % 10 == 9) {
                    Thread.sleep(10); // ~16 MB/s: a reading client keeps up, a stalled one piles up
                }
            }
            long published = System.currentTimeMillis();
            List<JsonNode> got = fast.collect("message.delta", n, 20000);
            long done = System.currentTimeMillis();
            List<Integer> ns = new ArrayList<>();
            for (JsonNode f : got) {
                ns.add(f.get("n").asInt());
            }
            assertEquals(n, ns.size(), "fast client got every event");
            for (int i = 0; i < n; i++) {
                assertEquals(i, ns.get(i));
            }
            assertTrue(done - published < 5000, "fast client finished " + (done - published) + " ms after the last publish");
            Awaitility.await().until(() -> hub.clientsOf(session) == 1); // the slow one was dropped
            String metrics = RestAssured.get("/q/metrics").then().extract().asString();
            assertTrue(metrics.contains("relay_connections_closed_total{reason=\"slow_consumer\"}"), metrics);
            assertTrue(published - start >= 0);
            events.delete(List.of(session));
        }
        slow.abort();
        fast.close();
    }
}
