package io.chatplatform.relay;

import io.chatplatform.relay.redis.RedisSubscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

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

/** Losing the Redis subscriber connection: the relay resubscribes and fills the gap from the stream. */
@QuarkusTest
@QuarkusTestResource(FakeNeighbours.class)
class RedisReconnectTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    @Inject
    RedisSubscriptions subscriptions;

    @Test
    void eventsPublishedWhileTheSubscriberConnectionIsDownStillArriveOnceInOrder() throws Exception {
        FakeNeighbours.boot();
        String session = UUID.randomUUID().toString();
        String token = TestTokens.token(UUID.randomUUID().toString());
        FakeNeighbours.own(session, token);
        try (EventPublisher events = new EventPublisher()) {
            WsClient c = WsClient.connect(port, session, token, null);
            c.nextOfType("ready", 5000);
            for (int i = 0; i < 3; i++) {
                events.delta(session, i);
            }
            assertEquals(List.of(0, 1, 2), numbers(c.collect("message.delta", 3, 5000)));

            // Kill only this relay's subscriber connection (found by its CLIENT SETNAME), then publish at once.
            killSubscriber(events, subscriptions);
            for (int i = 3; i < 10; i++) {
                events.delta(session, i);
            }
            List<Integer> got = numbers(c.collect("message.delta", 7, 10000));
            for (int i = 10; i < 13; i++) { // and live delivery works again
                events.delta(session, i);
            }
            got.addAll(numbers(c.collect("message.delta", 3, 10000)));
            assertEquals(List.of(3, 4, 5, 6, 7, 8, 9, 10, 11, 12), got);
            assertEquals(null, c.next(300), "nothing repeated");
            Awaitility.await().until(subscriptions::healthy);
            RestAssured.get("/q/health/ready").then().statusCode(200);
            c.close();
            events.delete(List.of(session));
        }
    }

    /**
     * Events keep coming while the subscriber connection is killed (twice): the ones published around the loss
     * come from the stream, the ones after it live, and a live one must not overtake the missed ones.
     */
    @Test
    void eventsPublishedContinuouslyAcrossConnectionKillsArriveExactlyOnceInOrder() throws Exception {
        FakeNeighbours.boot();
        String session = UUID.randomUUID().toString();
        String token = TestTokens.token(UUID.randomUUID().toString());
        FakeNeighbours.own(session, token);
        int total = 400;
        try (EventPublisher events = new EventPublisher(); EventPublisher killer = new EventPublisher()) {
            WsClient c = WsClient.connect(port, session, token, null);
            c.nextOfType("ready", 5000);
            java.util.concurrent.atomic.AtomicInteger published = new java.util.concurrent.atomic.AtomicInteger();
            Thread publisher = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < total; i++) {
                    events.delta(session, i);
                    published.incrementAndGet();
                    java.util.concurrent.locks.LockSupport.parkNanos(4_000_000);
                }
            });
            for (int kill = 1; kill <= 2; kill++) {
                int at = kill * total / 3;
                Awaitility.await().until(() -> published.get() >= at);
                Awaitility.await().until(subscriptions::healthy); // the previous loss is over
                killSubscriber(killer, subscriptions);
            }
            List<Integer> got = numbers(c.collect("message.delta", total, 30000));
            publisher.join();
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                expected.add(i);
            }
            assertEquals(expected, got, "every event once, in order");
            assertEquals(null, c.next(500), "nothing repeated");
            c.close();
            events.delete(List.of(session));
        }
    }

    /** Kills only this relay's subscriber connections (one per event loop with clients), found by CLIENT SETNAME. */
    static void killSubscriber(EventPublisher redis, RedisSubscriptions subscriptions) {
        List<String> ids = new ArrayList<>();
        for (String line : redis.command("CLIENT", "LIST").split("\n")) {
            if (line.contains("name=" + subscriptions.connectionName() + "-")) {
                ids.add(line.replaceAll("^id=(\\d+) .*$", "$1").trim());
            }
        }
        assertFalse(ids.isEmpty(), "subscriber connections are named");
        for (String id : ids) {
            redis.command("CLIENT", "KILL", "ID", id);
        }
    }

    static List<Integer> numbers(List<JsonNode> frames) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode f : frames) {
            out.add(f.get("n").asInt());
        }
        return out;
    }
}
