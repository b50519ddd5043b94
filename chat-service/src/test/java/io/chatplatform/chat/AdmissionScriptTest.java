package io.chatplatform.chat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every refusal of a turn comes from the one admission script, in one Redis round trip, before session-service or
 * the model is called. Counted with {@code INFO commandstats} on this profile's own Redis: each refused turn is
 * exactly one EVAL and nothing else the app sends.
 */
@QuarkusTest
@TestProfile(PrivateRedisProfile.class)
class AdmissionScriptTest extends ChatTestSupport {

    @Test
    void theRateLimitRefusesWith429RetryAfterAndRateLimitHeaders() {
        String user = newUser();
        redis.value(String.class).setex(UserData.rateLimitKey(user), 60, "20");
        resetStats();
        chat(user, Map.of("message", "one too many")).then().statusCode(429).contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .header("RateLimit-Limit", "20").header("RateLimit-Remaining", "0").header("RateLimit-Reset", notNullValue());
        assertOneRoundTrip();
        assertEquals(0, FakeSessionService.sessionsOf(user), "nothing stored");
    }

    @Test
    void theDailyQuotaRefusesWith429BeforeTheModel() {
        String user = newUser();
        String m = marker();
        redis.value(String.class).setex("chat:quota:{" + user + "}:" + LocalDate.now(ZoneOffset.UTC), 3600, "200000");
        resetStats();
        chat(user, Map.of("message", "over budget " + m)).then().statusCode(429)
                .header("Retry-After", notNullValue()).body("quota", equalTo("daily_tokens")).header("RateLimit-Limit", "20");
        assertOneRoundTrip();
        assertEquals(0, stubRequests(m).path("count").asLong(), "the model was not called");
        assertEquals(0, FakeSessionService.sessionsOf(user));
    }

    @Test
    void aBusySessionRefusesWith409AndSessionServiceIsNotCalled() {
        String user = newUser();
        String sid = FakeSessionService.seed(user, "busy", "earlier");
        redis.value(String.class).setex("chat:lock:{" + sid + "}", 60, "another-turn");
        resetStats();
        chat(user, Map.of("session_id", sid, "message", "impatient")).then().statusCode(409)
                .contentType("application/problem+json");
        assertOneRoundTrip();
        assertEquals(1, FakeSessionService.messages(sid).size(), "no user message stored");
        assertEquals("another-turn", redis.value(String.class).get("chat:lock:{" + sid + "}"), "the other turn's lock stays");
    }

    @Test
    void theSameClientMessageIdInFlightRefusesWith409() {
        String user = newUser();
        redis.value(String.class).setex("chat:turn:{" + user + "}:cm-1", 60, "pending:other");
        resetStats();
        chat(user, Map.of("message", "twice", "client_message_id", "cm-1")).then().statusCode(409);
        assertOneRoundTrip();
        assertEquals(0, FakeSessionService.sessionsOf(user));
    }

    @Test
    void aReplayAnswersTheStoredResultWithoutSessionServiceOrModel() {
        String user = newUser();
        String m = marker();
        Response first = chat(user, Map.of("message", "once " + m, "client_message_id", "cm-" + m));
        first.then().statusCode(200);
        resetStats();
        chat(user, Map.of("message", "once " + m, "client_message_id", "cm-" + m)).then().statusCode(200)
                .body("message_id", equalTo(first.path("message_id"))).body("response", equalTo(first.path("response")));
        assertOneRoundTrip();
        assertEquals(1, stubRequests(m).path("count").asLong(), "the model was called once");
        assertEquals(2, FakeSessionService.messages(first.path("session_id")).size(), "nothing stored twice");
        assertNull(redis.value(String.class).get("chat:lock:{" + first.path("session_id") + "}"));
    }

    private void resetStats() {
        redis.execute("CONFIG", "RESETSTAT");
    }

    /**
     * Since the reset: one EVAL. Redis also counts the commands a script runs, so the others are bounded by what the
     * script does before a refusal (GET the idempotency key and the quota, INCR the window) and nothing it does
     * after one (no index, facts, events).
     */
    private void assertOneRoundTrip() {
        String stats = redis.execute("INFO", "commandstats").toString();
        assertEquals(1, calls(stats, "eval"), stats);
        assertTrue(calls(stats, "get") <= 2 && calls(stats, "incr") <= 1, stats);
        for (String cmd : new String[]{"setex", "exists", "sadd", "lrange", "xadd", "publish", "evalsha"}) {
            assertEquals(0, calls(stats, cmd), cmd + ": " + stats);
        }
    }

    private static long calls(String stats, String command) {
        for (String line : stats.split("\\r?\\n")) {
            if (line.startsWith("cmdstat_" + command + ":")) {
                String c = line.substring(line.indexOf("calls=") + 6);
                return Long.parseLong(c.substring(0, c.indexOf(',')));
            }
        }
        return 0;
    }
}
