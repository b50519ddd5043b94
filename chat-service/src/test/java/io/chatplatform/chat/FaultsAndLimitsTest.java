package io.chatplatform.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stand-in faults (before and after the first token), session-service outage, rate limit and token quota. */
@QuarkusTest
class FaultsAndLimitsTest extends ChatTestSupport {

    @Test
    void status429And500BeforeTheFirstTokenAreRetriedAndSucceed() {
        for (String fault : List.of("429", "500", "503")) {
            String m = marker();
            Response r = chat(newUser(), Map.of("message", "retry me " + fault + " " + m + " [[stub:fault=" + fault + ",times=1]]"));
            r.then().statusCode(200).body("response", containsString("retry me " + fault));
            assertEquals(2, stubRequests(m).path("count").asLong(), "one failed call, one retry");
        }
    }

    @Test
    void persistentUpstreamErrorEndsWithMessageFailedAnd502() {
        String m = marker();
        Response r = chat(newUser(), Map.of("message", "always broken " + m + " [[stub:fault=500]]"));
        r.then().statusCode(502).contentType("application/problem+json")
                .body("code", equalTo("upstream_error")).body("retryable", equalTo(true));
        assertEquals(3, stubRequests(m).path("count").asLong(), "first call and two retries");
        JsonNode failed = awaitEvent(r.path("session_id"), "message.failed");
        assertEquals("upstream_error", failed.path("error").path("code").asText());
        assertTrue(failed.path("retryable").asBoolean());
    }

    @Test
    void persistentRateLimitAnswers503WithRetryAfter() {
        String m = marker();
        Response r = chat(newUser(), Map.of("message", "always limited " + m + " [[stub:fault=429]]"));
        r.then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .body("code", equalTo("rate_limited")).body("retryable", equalTo(true));
        assertEquals(3, stubRequests(m).path("count").asLong(), "first call and two retries");
        assertEquals("rate_limited", awaitEvent(r.path("session_id"), "message.failed").path("error").path("code").asText());
    }

    @Test
    void turnsRejectedBeforeTheyStartAreCountedByStatus() {
        double tooLarge = turns("rejected_413");
        double limited = turns("rejected_429");
        String user = newUser();
        chat(user, Map.of("message", "x".repeat(8001))).then().statusCode(413);
        redis.value(String.class).setex(UserData.rateLimitKey(user), 60, "20");
        chat(user, Map.of("message", "too many")).then().statusCode(429);
        assertEquals(tooLarge + 1, turns("rejected_413"));
        assertEquals(limited + 1, turns("rejected_429"));
    }

    /**
     * chat_turns_total{outcome} on /q/metrics (0 before the first such turn). Only rejections are read here: they are
     * counted synchronously in the rejected call, so no turn of another test moves them meanwhile.
     */
    private static double turns(String outcome) {
        return metric("chat_turns_total", "outcome=\"" + outcome + "\"");
    }

    @Test
    void hangTimesOutAndEndsWithMessageFailedAnd504() {
        Response r = chat(newUser(), Map.of("message", "please hang [[stub:fault=hang]]"));
        r.then().statusCode(504).contentType("application/problem+json").body("code", equalTo("timeout"));
        String sid = r.path("session_id");
        JsonNode failed = awaitEvent(sid, "message.failed");
        assertEquals("timeout", failed.path("error").path("code").asText());
        assertTrue(failed.path("retryable").asBoolean());
        // only the user message is stored: no half turn shown as complete
        assertEquals(1, FakeSessionService.messages(sid).size());
        assertTrue(eventsOfType(sid, "message.completed").isEmpty());
    }

    @Test
    void dropMidStreamEndsWithMessageFailedAfterDeltasAndIsNotRetried() {
        String m = marker();
        Response r = chat(newUser(), Map.of("message", "drop it " + m + " [[stub:fault=drop]] [[stub:tokens=50]]"));
        r.then().statusCode(502).contentType("application/problem+json").body("code", equalTo("stream_interrupted"));
        assertEquals(1, stubRequests(m).path("count").asLong(), "nothing retried after the first token");
        String sid = r.path("session_id");
        JsonNode failed = awaitEvent(sid, "message.failed");
        assertTrue(failed.path("retryable").asBoolean());
        assertTrue(!eventsOfType(sid, "message.delta").isEmpty(), "tokens had been streamed");
        assertEquals(1, FakeSessionService.messages(sid).size());
        // the same client_message_id may be retried after a failure and then succeeds
        String cm = "drop-" + newUser();
        Map<String, Object> body = Map.of("session_id", sid, "message", "again [[stub:fault=drop,times=1]]", "client_message_id", cm);
        chat(currentUser(sid), body).then().statusCode(502);
        chat(currentUser(sid), body).then().statusCode(200).body("response", containsString("again"));
    }

    @Test
    void sessionServiceDownAnswers503WithRetryAfterAndStoresNothing() {
        String user = newUser();
        FakeSessionService.down = true;
        try {
            chat(user, Map.of("message", "anyone there?")).then().statusCode(503)
                    .contentType("application/problem+json").header("Retry-After", notNullValue());
        } finally {
            FakeSessionService.down = false;
        }
        assertEquals(0, FakeSessionService.sessionsOf(user));
    }

    @Test
    void perUserRateLimitAnswers429WithHeaders() {
        String user = newUser();
        String key = UserData.rateLimitKey(user);
        redis.value(String.class).setex(key, 60, "19");
        chat(user, Map.of("message", "last allowed")).then().statusCode(200)
                .header("RateLimit-Limit", "20").header("RateLimit-Remaining", "0")
                .header("RateLimit-Reset", notNullValue());
        Response limited = chat(user, Map.of("message", "one too many"));
        limited.then().statusCode(429).contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .header("RateLimit-Limit", "20").header("RateLimit-Remaining", "0");
        assertEquals(1, FakeSessionService.sessionsOf(user), "the rejected turn stored nothing");
        // another user is not affected
        chat(newUser(), Map.of("message", "hello")).then().statusCode(200);
    }

    @Test
    void dailyTokenQuotaRefusesBeforeTheModelAndCutsOffWhileStreaming() {
        String user = newUser();
        String key = "chat:quota:{" + user + "}:" + LocalDate.now(ZoneOffset.UTC);
        redis.value(String.class).setex(key, 3600, "200000");
        String m = marker();
        chat(user, Map.of("message", "over budget " + m)).then().statusCode(429)
                .header("Retry-After", notNullValue()).body("quota", equalTo("daily_tokens"))
                .header("RateLimit-Limit", "20");
        assertEquals(0, stubRequests(m).path("count").asLong(), "the model was not called");
        assertEquals(0, FakeSessionService.sessionsOf(user));

        // 150 tokens left: a 1000-token answer is cut off and marked truncated
        redis.value(String.class).setex(key, 3600, Long.toString(200000 - 150));
        Response r = chat(user, Map.of("message", "long one [[stub:tokens=1000]]"));
        r.then().statusCode(200).body("truncated", equalTo(true)).body("finish_reason", equalTo("length"));
        String sid = r.path("session_id");
        String mid = r.path("message_id");
        String content = r.path("response");
        assertTrue(content.split(" ").length < 1000);
        assertEquals(content, deltas(events(sid), mid));
        assertTrue(storedAssistant(sid, mid).path("metadata").path("truncated").asBoolean());
        // and the counter is charged with what was used
        assertTrue(Long.parseLong(redis.value(String.class).get(key)) > 200000 - 150);
    }

    @Test
    void metricsArePublished() {
        chat(newUser(), Map.of("message", "metrics please")).then().statusCode(200);
        String metrics = RestAssured.get("/q/metrics").asString();
        for (String m : List.of("chat_time_to_first_token_seconds_bucket", "chat_llm_tokens_total{direction=\"completion\"",
                "chat_turns_total{outcome=\"completed\"", "chat_turn_seconds")) {
            assertTrue(metrics.contains(m), m);
        }
    }

    /** The owner of a session created through chat-service (the fake keeps it). */
    private static String currentUser(String sid) {
        return FakeSessionService.SESSIONS.get(sid).owner;
    }
}
