package io.chatplatform.session;

import io.chatplatform.common.events.UserEventsConfig;
import io.chatplatform.common.events.UserEventsConsumer;
import io.chatplatform.session.session.SessionService;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.PendingMessage;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.mockito.InjectSpy;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Tokens.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.doAnswer;

/** user.deleted from the Redis stream (the test profile uses its own stream key and group). */
@QuarkusTest
class UserEventsTest {

    @Inject
    UserEventsConsumer consumer;

    @Inject
    RedisDataSource redis;

    @Inject
    UserEventsConfig config;

    /** The real service; a test makes one user's delete fail and leaves everyone else's alone. */
    @InjectSpy
    SessionService sessions;

    StreamCommands<String, String, String> stream() {
        return redis.stream(String.class);
    }

    @AfterEach
    void consumerRunsAgain() {
        consumer.start();
    }

    private String publishDeleted(UUID user) {
        return stream().xadd(config.stream(), Map.of("type", "user.deleted", "user_id", user.toString(),
                "ts", Instant.now().toString()));
    }

    private long pending() {
        return stream().xpending(config.stream(), config.group()).getPendingCount();
    }

    /** The entry's pending record (delivered, not acknowledged), or null. */
    private PendingMessage pendingEntry(String id) {
        List<PendingMessage> p = stream().xpending(config.stream(), config.group(),
                StreamRange.of(id, id), 1);
        return p.isEmpty() ? null : p.getFirst();
    }

    private Map<String, String> deadLetter(String originalId) {
        return stream().xrange(config.deadLetterStream(), StreamRange.of("-", "+")).stream()
                .map(StreamMessage::payload)
                .filter(f -> originalId.equals(f.get("dlq_original_id")))
                .findFirst().orElse(null);
    }

    @Test
    void aDeleteThatFailsStaysPendingAndIsAppliedOnceTheFailureClears() throws Exception {
        UUID gone = UUID.randomUUID();
        String a = createSession(gone, "one");
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch retrying = new CountDownLatch(1);
        CountDownLatch cleared = new CountDownLatch(1);
        // first attempt: the database fails; the retry waits until the test has looked, then goes through
        doAnswer(inv -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("database unavailable");
            }
            retrying.countDown();
            assertTrue(cleared.await(60, TimeUnit.SECONDS));
            return inv.callRealMethod();
        }).when(sessions).deleteAllOf(gone);

        String id = publishDeleted(gone);
        try {
            assertTrue(retrying.await(60, TimeUnit.SECONDS), "the failed entry is retried");
            // the failed delivery was not acknowledged: the entry is still pending, now on its second delivery
            PendingMessage p = pendingEntry(id);
            assertNotNull(p, "unacknowledged");
            assertEquals(2, p.getDeliveryCount());
            as(gone).get("/api/sessions/" + a).then().statusCode(200);
        } finally {
            cleared.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                as(gone).get("/api/sessions").then().body("items", hasSize(0)));
        await().atMost(Duration.ofSeconds(5)).until(() -> pendingEntry(id) == null);
        assertEquals(2, calls.get());
        assertNull(deadLetter(id));
    }

    @Test
    void anEntryThatKeepsFailingIsDeadLetteredWithoutHoldingUpNewerOnes() {
        UUID poison = UUID.randomUUID();
        UUID next = UUID.randomUUID();
        String kept = createSession(poison, "its delete keeps failing");
        createSession(next, "goes");
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger poisonAttemptsWhenNextRan = new AtomicInteger(-1);
        doAnswer(inv -> {
            if (attempts.incrementAndGet() == 1) {
                // published while the first attempt fails: it comes after the poison entry in the stream
                publishDeleted(next);
            }
            throw new IllegalStateException("cannot delete");
        }).when(sessions).deleteAllOf(poison);
        doAnswer(inv -> {
            poisonAttemptsWhenNextRan.set(attempts.get());
            return inv.callRealMethod();
        }).when(sessions).deleteAllOf(next);

        double deadBefore = deadLettered();
        String id = publishDeleted(poison);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                as(next).get("/api/sessions").then().body("items", hasSize(0)));
        int max = config.maxAttempts();
        assertTrue(poisonAttemptsWhenNextRan.get() >= 1 && poisonAttemptsWhenNextRan.get() < max,
                "the newer entry was handled while the failing one was still being retried: "
                        + poisonAttemptsWhenNextRan.get());

        await().atMost(Duration.ofSeconds(15)).until(() -> deadLetter(id) != null);
        Map<String, String> dead = deadLetter(id);
        assertEquals("user.deleted", dead.get("type"));
        assertEquals(poison.toString(), dead.get("user_id"), "kept as sent, so it can be replayed");
        assertEquals(Integer.toString(max), dead.get("dlq_attempts"));
        assertEquals(IllegalStateException.class.getName(), dead.get("dlq_error"));
        assertNull(pendingEntry(id), "acknowledged once dead-lettered");
        assertEquals(max, attempts.get(), "no attempt after the last one");
        assertEquals(deadBefore + 1, deadLettered(), "counted for the UserDeletionDeadLettered alert");
        as(poison).get("/api/sessions/" + kept).then().statusCode(200);
    }

    /** platform_user_events_dead_lettered_total of this service's group, from its Prometheus endpoint. */
    static double deadLettered() {
        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?m)^platform_user_events_dead_lettered_total\\{[^}]*} ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
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
        stream().xadd(config.stream(), Map.of("type", "user.created", "user_id", stays.toString()));
        stream().xadd(config.stream(), Map.of("type", "user.deleted", "user_id", "not-a-uuid"));
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
        var delivered = stream().xreadgroup(config.group(), config.consumer(),
                config.stream(), ">", new XReadGroupArgs().count(10));
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
        redis.key(String.class).del(config.stream()); // our test stream only
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.key(String.class).exists(config.stream()));
        publishDeleted(gone);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                as(gone).get("/api/sessions").then().body("items", hasSize(0)));
    }
}
