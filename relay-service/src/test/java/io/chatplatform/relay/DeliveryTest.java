package io.chatplatform.relay;

import io.chatplatform.relay.fanout.SessionHub;
import io.chatplatform.relay.redis.RedisSubscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Live delivery, shared subscriptions, and resume with real Redis and real WebSocket clients. */
@QuarkusTest
@QuarkusTestResource(FakeNeighbours.class)
class DeliveryTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    SessionHub hub;
    @Inject
    RedisSubscriptions subscriptions;

    static EventPublisher events;
    static final List<String> sessions = new ArrayList<>();

    String user;
    String session;
    String token;

    @BeforeAll
    static void startPublisher() {
        events = new EventPublisher();
    }

    @AfterAll
    static void cleanUp() {
        events.delete(sessions);
        events.close();
    }

    @BeforeEach
    void setUp() {
        FakeNeighbours.boot();
        user = UUID.randomUUID().toString();
        session = UUID.randomUUID().toString();
        sessions.add(session);
        token = TestTokens.token(user);
        FakeNeighbours.own(session, token);
    }

    private static List<Integer> numbers(List<JsonNode> frames) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode f : frames) {
            out.add(f.get("n").asInt());
        }
        return out;
    }

    private static List<Integer> range(int from, int toExclusive) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < toExclusive; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void publishedEventsReachTheClientInOrder() throws Exception {
        WsClient c = WsClient.connect(port, session, token, null);
        JsonNode ready = c.nextOfType("ready", 5000);
        assertFalse(ready.get("resumed").asBoolean());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(events.delta(session, i));
        }
        List<JsonNode> got = c.collect("message.delta", 50, 10000);
        assertEquals(range(0, 50), numbers(got));
        assertEquals(ids.get(49), got.get(49).get("id").asText(), "the stream id travels as id");
        assertEquals(session, got.get(0).get("session_id").asText());
        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("relay_events_delivered_total"), "delivered counter");
        assertTrue(metrics.matches("(?s).*\\nrelay_connections(\\{[^}]*\\})? [1-9].*"), "gauge counts the open client");
        assertTrue(metrics.contains("relay_delivery_lag_seconds_bucket"), "lag histogram");
        assertTrue(metrics.matches("(?s).*relay_delivery_lag_seconds_count(\\{[^}]*\\})? [1-9].*"), "lag recorded");
        c.close();
    }

    @Test
    void clientsOfOneSessionShareOneSubscriptionWhichEndsWithTheLastClient() throws Exception {
        int before = subscriptions.channelCount();
        WsClient a = WsClient.connect(port, session, token, null);
        WsClient b = WsClient.connect(port, session, token, null);
        a.nextOfType("ready", 5000);
        b.nextOfType("ready", 5000);
        assertEquals(2, hub.clientsOf(session));
        assertEquals(before + 1, subscriptions.channelCount(), "one Redis subscription for both clients");
        for (int i = 0; i < 10; i++) {
            events.delta(session, i);
        }
        assertEquals(range(0, 10), numbers(a.collect("message.delta", 10, 5000)));
        assertEquals(range(0, 10), numbers(b.collect("message.delta", 10, 5000)));
        a.close();
        Awaitility.await().until(() -> hub.clientsOf(session) == 1);
        assertEquals(before + 1, subscriptions.channelCount());
        b.close();
        Awaitility.await().until(() -> hub.clientsOf(session) == 0 && subscriptions.channelCount() == before);
    }

    @Test
    void typingIsRelayedButNeverStored() throws Exception {
        WsClient a = WsClient.connect(port, session, token, null);
        a.nextOfType("ready", 5000);
        a.send("{\"type\":\"typing\",\"state\":\"active\"}");
        JsonNode typing = a.nextOfType("typing", 5000);
        assertEquals(user, typing.get("user_id").asText());
        assertEquals("active", typing.get("state").asText());
        assertFalse(typing.has("id"), "typing is pub/sub only");
        a.close();
    }

    @Test
    void resumeAfterForcedDisconnectLosesAndRepeatsNothing() throws Exception {
        WsClient first = WsClient.connect(port, session, token, null);
        first.nextOfType("ready", 5000);
        for (int i = 0; i < 5; i++) {
            events.delta(session, i);
        }
        List<JsonNode> seen = first.collect("message.delta", 5, 5000);
        assertEquals(range(0, 5), numbers(seen));
        String lastId = seen.get(4).get("id").asText();
        first.abort(); // forced, no close handshake
        Awaitility.await().until(() -> hub.clientsOf(session) == 0);

        for (int i = 5; i < 12; i++) { // published during the gap: nobody is subscribed on this relay
            events.delta(session, i);
        }
        WsClient second = WsClient.connect(port, session, token, lastId);
        JsonNode ready = second.nextOfType("ready", 5000);
        assertTrue(ready.get("resumed").asBoolean());
        assertTrue(ready.get("recovered").asBoolean());
        assertEquals(7, ready.get("replayed").asInt());
        for (int i = 12; i < 20; i++) {
            events.delta(session, i);
        }
        List<JsonNode> rest = second.collect("message.delta", 15, 5000);
        assertEquals(range(5, 20), numbers(rest));
        assertEquals(null, second.next(500), "nothing repeated afterwards");
        second.close();
    }

    @Test
    void resumeWhileEventsKeepFlowingHasNoGapAndNoDuplicate() throws Exception {
        String lastId = null;
        for (int i = 0; i < 3; i++) {
            lastId = events.delta(session, i);
        }
        // Publish continuously from another thread while the client resumes, so replay and live overlap.
        Thread producer = new Thread(() -> {
            for (int i = 3; i < 203; i++) {
                events.delta(session, i);
            }
        });
        producer.start();
        WsClient c = WsClient.connect(port, session, token, lastId);
        producer.join();
        List<JsonNode> got = c.collect("message.delta", 200, 10000);
        assertEquals(range(3, 203), numbers(got));
        assertEquals(null, c.next(300));
        c.close();
    }

    @Test
    void idOlderThanTheRetainedStreamAsksForAHistoryReload() throws Exception {
        for (int i = 0; i < 5; i++) {
            events.delta(session, i);
        }
        // "1-0" predates every retained entry: what came after it may have been trimmed away.
        WsClient c = WsClient.connect(port, session, token, "1-0");
        JsonNode ready = c.nextOfType("ready", 5000);
        assertTrue(ready.get("resumed").asBoolean());
        assertFalse(ready.get("recovered").asBoolean());
        assertEquals(0, ready.get("replayed").asInt());
        JsonNode error = c.nextOfType("error", 5000);
        assertEquals("history_reload_required", error.get("code").asText());
        assertTrue(error.get("reload_history").asBoolean());
        events.delta(session, 5);
        assertEquals(List.of(5), numbers(c.collect("message.delta", 1, 5000)), "live events continue");
        c.close();
    }

    @Test
    void unknownStreamIsNotRecovered() throws Exception {
        WsClient c = WsClient.connect(port, session, token, "1700000000000-0");
        JsonNode ready = c.nextOfType("ready", 5000);
        assertFalse(ready.get("recovered").asBoolean());
        c.close();
    }
}
