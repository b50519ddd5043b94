package io.chatplatform.chat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** user.deleted on platform:user-events removes every Redis key chat-service holds about the user. */
@QuarkusTest
class AccountDeletionTest extends ChatTestSupport {

    @Test
    void userDeletedRemovesEveryKeyOfTheUserAndNobodyElses() {
        String alice = newUser();
        String bob = newUser();
        chat(alice, Map.of("message", "remember that I drink green tea")).then().statusCode(200);
        Response turn = chat(alice, Map.of("message", "hello again", "client_message_id", "cm-" + alice));
        turn.then().statusCode(200);
        String mid = turn.path("message_id");
        chat(bob, Map.of("message", "remember that I drink coffee")).then().statusCode(200);

        Set<String> before = keysNaming(alice);
        for (String k : List.of("chat:facts:{" + alice + "}", "chat:turn:{" + alice + "}:cm-" + alice,
                "chat:quota:{" + alice + "}:" + LocalDate.now(ZoneOffset.UTC), UserData.rateLimitKey(alice))) {
            assertTrue(before.contains(k), k + " in " + before);
        }
        assertTrue(before.contains("chat:turnref:{" + alice + "}:" + mid), "the cancel reference of her turn");
        Set<String> bobs = keysNaming(bob);

        userDeleted(alice);

        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> keysNaming(alice).isEmpty());
        assertEquals(bobs, keysNaming(bob), "another user's keys are untouched");
    }

    @Test
    void anEventLeftPendingByAReplicaThatIsGoneIsClaimedProcessedAndAcknowledged() {
        String alice = newUser();
        chat(alice, Map.of("message", "remember that my bike is blue")).then().statusCode(200);
        assertTrue(redis.key(String.class).exists("chat:facts:{" + alice + "}"));
        // XADD and delivery to another consumer in one script: our consumer never sees the entry as new
        String id = redis.execute("EVAL", """
                local id = redis.call('XADD', KEYS[1], '*', 'type', 'user.deleted', 'user_id', ARGV[1], 'ts', ARGV[2])
                redis.call('XREADGROUP', 'GROUP', 'chat-service', 'replica-that-died', 'COUNT', '1000', 'STREAMS', KEYS[1], '>')
                return id
                """, "1", "platform:user-events", alice, Instant.now().toString()).toString();
        assertEquals(1, pendingCount(id), "delivered to the dead replica, not acknowledged");

        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> !redis.key(String.class).exists("chat:facts:{" + alice + "}"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pendingCount(id) == 0);
    }

    private long pendingCount(String id) {
        return redis.stream(String.class).xpending("platform:user-events", "chat-service",
                io.quarkus.redis.datasource.stream.StreamRange.of(id, id), 10).size();
    }
}
