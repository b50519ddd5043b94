package io.chatplatform.session;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Tokens.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** user.deleted from the Redis stream (the test profile uses its own stream key and group). */
@QuarkusTest
class UserEventsTest {

    @Inject
    UserEventsConsumer consumer;

    @Inject
    RedisDataSource redis;

    @Inject
    SessionsConfig config;

    StreamCommands<String, String, String> stream() {
        return redis.stream(String.class);
    }

    @AfterEach
    void consumerRunsAgain() {
        consumer.start();
    }

    private String publishDeleted(UUID user) {
        return stream().xadd(config.events().stream(), Map.of("type", "user.deleted", "user_id", user.toString(),
                "ts", Instant.now().toString()));
    }

    private long pending() {
        return stream().xpending(config.events().stream(), config.events().group()).getPendingCount();
    }

    @Test
    void deletesAllSessionsOfTheDeletedUserOnly() {
        UUID gone = UUID.randomUUID();
        UUID stays = UUID.randomUUID();
        String a = createSession(gone, "a");
        createSession(gone, "b");
        append(gone, a, "user", "bye");
        String kept = createSession(stays, "kept");

        // an event of another type and a malformed one are acknowledged and ignored
        stream().xadd(config.events().stream(), Map.of("type", "user.created", "user_id", stays.toString()));
        stream().xadd(config.events().stream(), Map.of("type", "user.deleted", "user_id", "not-a-uuid"));
        publishDeleted(gone);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                as(gone).get("/api/sessions").then().body("items", hasSize(0)));
        as(gone).get("/api/sessions/" + a).then().statusCode(404);
        as(stays).get("/api/sessions/" + kept).then().statusCode(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> pending() == 0);
    }

    @Test
    void anEventPublishedWhileTheConsumerIsDownIsProcessedAfterRestart() throws Exception {
        UUID gone = UUID.randomUUID();
        createSession(gone, "one");
        createSession(gone, "two");

        consumer.stop();
        assertFalse(consumer.isRunning());
        publishDeleted(gone);
        Thread.sleep(1500);
        as(gone).get("/api/sessions").then().body("items", hasSize(2)); // nobody consumed it

        consumer.start();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                as(gone).get("/api/sessions").then().body("items", hasSize(0)));
    }

    @Test
    void anEventDeliveredButNotAcknowledgedBeforeACrashIsRedelivered() throws Exception {
        UUID gone = UUID.randomUUID();
        createSession(gone, "one");

        consumer.stop();
        String id = publishDeleted(gone);
        // this instance read it, then "crashed" before deleting and acknowledging
        var delivered = stream().xreadgroup(config.events().group(), config.events().consumer(),
                config.events().stream(), ">", new XReadGroupArgs().count(10));
        assertTrue(delivered.stream().anyMatch(m -> m.id().equals(id)));
        assertTrue(pending() >= 1);
        Thread.sleep(500);
        as(gone).get("/api/sessions").then().body("items", hasSize(1));

        consumer.start(); // reads its pending entries (id 0) before new ones
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                as(gone).get("/api/sessions").then().body("items", hasSize(0)));
        await().atMost(Duration.ofSeconds(5)).until(() -> pending() == 0);
        assertEquals(0, pending());
    }

    @Test
    void recreatesTheGroupWhenTheStreamIsDeleted() {
        UUID gone = UUID.randomUUID();
        createSession(gone, "one");
        redis.key(String.class).del(config.events().stream()); // our test stream only
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.key(String.class).exists(config.events().stream()));
        publishDeleted(gone);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                as(gone).get("/api/sessions").then().body("items", hasSize(0)));
    }
}
