package io.chatplatform.relay;

import io.chatplatform.relay.redis.RedisSubscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A lost subscription on a relay with many sessions: every session's gap is read from its stream, but only a
 * few reads at a time, so a small Redis pool is not exhausted and no client is dropped (seen in the fan-out
 * benchmark: 5,000 reads at once were refused by the pool and every client was closed).
 */
@QuarkusTest
@TestProfile(GapFillUnderLoadTest.SmallPool.class)
@QuarkusTestResource(FakeNeighbours.class)
class GapFillUnderLoadTest {

    static final int SESSIONS = 40;

    public static class SmallPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // 2 connections and 2 waiters: 40 stream reads at once would see most of them refused
            return Map.of("quarkus.redis.max-pool-size", "2", "quarkus.redis.max-pool-waiting", "2",
                    "relay.gap-fill-concurrency", "2");
        }
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    @Inject
    RedisSubscriptions subscriptions;

    @Test
    void everySessionIsRefilledAndNoClientIsDropped() throws Exception {
        FakeNeighbours.boot();
        List<String> sessions = new ArrayList<>();
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            String session = UUID.randomUUID().toString();
            String token = TestTokens.token(UUID.randomUUID().toString());
            FakeNeighbours.own(session, token);
            WsClient c = WsClient.connect(port, session, token, null);
            c.nextOfType("ready", 5000);
            sessions.add(session);
            clients.add(c);
        }
        try (EventPublisher events = new EventPublisher(); EventPublisher killer = new EventPublisher()) {
            RedisReconnectTest.killSubscriber(killer, subscriptions);
            for (String s : sessions) {
                events.delta(s, 0);
            }
            for (WsClient c : clients) {
                assertEquals(List.of(0), RedisReconnectTest.numbers(c.collect("message.delta", 1, 20000)),
                        "the event published around the loss");
            }
            Awaitility.await().until(subscriptions::healthy);
            for (String s : sessions) {
                events.delta(s, 1);
            }
            for (WsClient c : clients) {
                assertEquals(List.of(1), RedisReconnectTest.numbers(c.collect("message.delta", 1, 20000)),
                        "live again after the refill");
            }
            for (WsClient c : clients) {
                assertNull(c.next(20), "nothing repeated, no close");
                c.close();
            }
            events.delete(sessions);
        }
    }
}
