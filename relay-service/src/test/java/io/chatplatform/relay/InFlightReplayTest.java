package io.chatplatform.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A client that connects without a usable {@code last_event_id} while an answer is in flight receives that turn from
 * its {@code message.created} on, then the live rest: every event once, in order (a page opened or reloaded
 * mid-answer shows the whole answer).
 */
@QuarkusTest
@QuarkusTestResource(FakeNeighbours.class)
class InFlightReplayTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    static EventPublisher events;
    static final List<String> sessions = new ArrayList<>();

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
        session = UUID.randomUUID().toString();
        sessions.add(session);
        token = TestTokens.token(UUID.randomUUID().toString());
        FakeNeighbours.own(session, token);
    }

    private void finishedTurn() {
        events.publish(session, "message.created", "\"role\":\"user\",\"content\":\"old\",\"n\":-1", 1000);
        for (int i = 0; i < 5; i++) {
            events.publish(session, "message.delta", "\"delta\":\"old\",\"n\":-1", 1000);
        }
        events.publish(session, "message.completed", "\"content\":\"oldoldoldoldold\",\"n\":-1", 1000);
    }

    /** The turn's events as the client got them: message.created first, then the deltas' numbers. */
    private static List<Integer> numbers(List<JsonNode> frames) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode f : frames) {
            out.add(f.path("n").asInt());
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
    void aFreshClientGetsTheTurnInFlightFromItsStartThenTheLiveRest() throws Exception {
        finishedTurn();
        events.publish(session, "message.created", "\"role\":\"user\",\"content\":\"tell me\",\"n\":0", 1000);
        for (int i = 1; i <= 300; i++) { // longer than one page of the backward scan
            events.delta(session, i);
        }
        WsClient c = WsClient.connect(port, session, token, null);
        JsonNode ready = c.nextOfType("ready", 5000);
        assertFalse(ready.get("resumed").asBoolean());
        assertEquals(301, ready.get("replayed").asInt(), ready.toString());
        for (int i = 301; i <= 320; i++) {
            events.delta(session, i);
        }
        List<JsonNode> got = c.collect(null, 321, 10000);
        assertEquals("message.created", got.get(0).path("type").asText(), "the turn's start comes first");
        assertEquals(range(0, 321), numbers(got), "the whole turn once, in order, none of the finished one");
        c.close();
    }

    @Test
    void eventsPublishedWhileTheClientConnectsArriveOnceInOrder() throws Exception {
        events.publish(session, "message.created", "\"role\":\"user\",\"content\":\"tell me\",\"n\":0", 1000);
        for (int i = 1; i <= 50; i++) {
            events.delta(session, i);
        }
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 51; i <= 250; i++) {
                events.delta(session, i);
            }
        });
        WsClient c = WsClient.connect(port, session, token, null);
        c.nextOfType("ready", 5000);
        writer.join();
        List<JsonNode> got = c.collect(null, 251, 10000);
        assertEquals(range(0, 251), numbers(got), "replay and live overlap: no gap, no repeat");
        c.close();
    }

    @Test
    void nothingIsReplayedWhenTheLastTurnHasEnded() throws Exception {
        finishedTurn();
        WsClient c = WsClient.connect(port, session, token, null);
        JsonNode ready = c.nextOfType("ready", 5000);
        assertEquals(0, ready.get("replayed").asInt(), ready.toString());
        events.delta(session, 7);
        JsonNode first = c.next(5000);
        assertEquals(7, first.path("n").asInt(), "the first event after ready is the live one: " + first);
        c.close();
    }

    @Test
    void aTurnSilentForLongerThanTheIdleBoundIsNotReplayedAsInFlight() throws Exception {
        // a turn whose chat-service died ten minutes ago: message.created and a delta, never completed
        long old = System.currentTimeMillis() - 600_000;
        String key = "chat:stream:{" + session + "}";
        events.command("XADD", key, old + "-0", "type", "message.created", "data",
                "{\"type\":\"message.created\",\"session_id\":\"" + session + "\",\"message_id\":\"u1\",\"role\":\"user\",\"n\":0}");
        events.command("XADD", key, old + "-1", "type", "message.delta", "data",
                "{\"type\":\"message.delta\",\"session_id\":\"" + session + "\",\"message_id\":\"m1\",\"delta\":\"x\",\"n\":1}");
        WsClient c = WsClient.connect(port, session, token, null);
        JsonNode ready = c.nextOfType("ready", 5000);
        assertEquals(0, ready.get("replayed").asInt(), ready.toString());
        c.close();
    }

    @Test
    void aResumeThatCannotRecoverStillGetsTheTurnInFlight() throws Exception {
        events.publish(session, "message.created", "\"role\":\"user\",\"content\":\"tell me\",\"n\":0", 1000);
        for (int i = 1; i <= 10; i++) {
            events.delta(session, i);
        }
        WsClient c = WsClient.connect(port, session, token, "1-0"); // older than anything the stream holds
        JsonNode ready = c.nextOfType("ready", 5000);
        assertTrue(ready.get("resumed").asBoolean());
        assertFalse(ready.get("recovered").asBoolean());
        List<JsonNode> got = new ArrayList<>();
        for (JsonNode f : c.collect(null, 12, 10000)) {
            if (!"error".equals(f.path("type").asText())) {
                got.add(f);
            }
        }
        assertEquals(range(0, 11), numbers(got), "the history reloads, and the answer in flight is whole");
        c.close();
    }
}
