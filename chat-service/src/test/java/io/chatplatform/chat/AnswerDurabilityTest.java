package io.chatplatform.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A billed answer is never lost: it is written to session-service with the turn's write grant as it grows and at
 * the end (retried), whatever happens to the user's token, session-service or Redis meanwhile. The app instance and
 * its Redis are this profile's own, so the turn counters move only with these tests (each awaits its turns' end).
 */
@QuarkusTest
@TestProfile(PrivateRedisProfile.class)
class AnswerDurabilityTest extends ChatTestSupport {

    @Test
    void aFortyKilobyteAnswerIsStoredWholeAndWrittenAsItGrows() {
        double lost = metric("chat_answers_lost_total");
        String m = marker();
        Response r = chat(newUser(), Map.of("message", "long " + m + " [[stub:tokens=8000,token-delay=0]]"));
        r.then().statusCode(200);
        String content = r.path("response");
        assertTrue(content.length() > 40_000, "a 40 KB answer: " + content.length());
        // a checkpoint still in flight may reach session-service after the final write: it changes nothing then
        List<JsonNode> writes = FakeSessionService.writesOf(r.path("message_id")).stream().map(w -> w.body()).toList();
        List<JsonNode> finals = writes.stream().filter(w -> !w.path("finish_reason").isNull()).toList();
        assertEquals(1, finals.size(), "one final write");
        assertEquals(content, finals.get(0).path("content").asText(), "the final write holds all of it");
        assertEquals("stop", finals.get(0).path("finish_reason").asText());
        assertTrue(writes.size() - finals.size() >= 1, "written while it grew: " + writes.size() + " writes");
        assertEquals(content, storedAssistant(r.path("session_id"), r.path("message_id")).path("content").asText());
        // (more than one request when a slow machine missed the first-token timeout and the call was retried)
        JsonNode maxTokens = stubRequests(m).path("max_tokens");
        assertTrue(maxTokens.size() >= 1);
        maxTokens.forEach(t -> assertEquals(16384, t.asInt(),
                "max_tokens from chat.model.max-tokens bounds the answer under the 256 KiB stored limit"));
        assertEquals(lost, metric("chat_answers_lost_total"));
    }

    @Test
    void anAnswerThatEndsAfterTheUsersTokenExpiredIsStoredWithTheGrant() {
        double lost = metric("chat_answers_lost_total");
        String user = newUser();
        long expires = System.currentTimeMillis() / 1000 + 4;
        Response r = io.restassured.RestAssured.given().header("Authorization", "Bearer " + token(user, 4))
                .contentType(io.restassured.http.ContentType.JSON).header("Prefer", "respond-async")
                .body(Map.of("message", "slow [[stub:tokens=40,token-delay=200]]")).post("/api/chat");
        r.then().statusCode(202);
        String sid = r.path("session_id");
        String mid = r.path("message_id");
        JsonNode completed = awaitEvent(sid, "message.completed");
        assertTrue(System.currentTimeMillis() / 1000 > expires, "the answer ended after the token expired");
        JsonNode stored = storedAssistant(sid, mid);
        assertEquals(completed.path("content").asText(), stored.path("content").asText());
        assertEquals(40, stored.path("content").asText().trim().split(" ").length);
        assertTrue(FakeSessionService.writesOf(mid).stream().allMatch(w -> w.authorization().startsWith("Grant ")),
                "every answer write carries the grant, none the user's token");
        assertEquals(lost, metric("chat_answers_lost_total"));
    }

    @Test
    void anAnswerIsStoredAcrossASessionServiceOutageMidTurn() {
        double lost = metric("chat_answers_lost_total");
        double completedTurns = metric("chat_turns_total", "outcome=\"completed\"");
        Response r = as(newUser()).header("Prefer", "respond-async")
                .body(Map.of("message", "outage [[stub:tokens=30,token-delay=100]]")).post("/api/chat");
        r.then().statusCode(202);
        String sid = r.path("session_id");
        String mid = r.path("message_id");
        awaitEvent(sid, "message.delta");
        FakeSessionService.down = true;
        try {
            // the final write is refused at least once before session-service comes back
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> FakeSessionService.writesOf(mid).stream()
                    .anyMatch(w -> w.status() == 503 && !w.body().path("finish_reason").isNull()));
        } finally {
            FakeSessionService.down = false;
        }
        JsonNode completed = awaitEvent(sid, "message.completed");
        JsonNode stored = storedAssistant(sid, mid);
        assertEquals("stop", stored.path("finish_reason").asText());
        assertEquals(completed.path("content").asText(), stored.path("content").asText());
        assertEquals(deltas(events(sid), mid), stored.path("content").asText());
        assertEquals(lost, metric("chat_answers_lost_total"));
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> metric("chat_turns_total", "outcome=\"completed\"") == completedTurns + 1);
    }

    @Test
    void anAnswerIsStoredAcrossATwelveSecondRedisPauseMidTurn() {
        double lost = metric("chat_answers_lost_total");
        String user = newUser();
        Response r = as(user).header("Prefer", "respond-async")
                .body(Map.of("message", "pause [[stub:tokens=30,token-delay=100]]")).post("/api/chat");
        r.then().statusCode(202);
        String sid = r.path("session_id");
        String mid = r.path("message_id");
        awaitEvent(sid, "message.delta");
        // this Redis is the profile's own: nobody else is paused
        redis.execute("CLIENT", "PAUSE", "12000", "ALL");
        // session-service holds the whole answer while Redis is still paused (no Redis call from here on)
        Awaitility.await().atMost(Duration.ofSeconds(11)).pollInterval(Duration.ofMillis(100))
                .until(() -> FakeSessionService.messages(sid).stream().anyMatch(msg -> mid.equals(msg.path("id").asText())
                        && "stop".equals(msg.path("finish_reason").asText(null))));
        String content = storedAssistant(sid, mid).path("content").asText();
        assertEquals(30, content.trim().split(" ").length);
        // once Redis is back: the completion is announced, the lock released, nothing counted lost. The test's own
        // reads of the stream block while the pause lasts and may time out (10 s) before it ends: those are retried.
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(io.smallrye.mutiny.TimeoutException.class)
                .until(() -> !eventsOfType(sid, "message.completed").isEmpty());
        JsonNode completed = eventsOfType(sid, "message.completed").get(0);
        assertEquals(content, completed.path("content").asText());
        chat(user, Map.of("session_id", sid, "message", "after the pause")).then().statusCode(200);
        assertEquals(lost, metric("chat_answers_lost_total"));
    }

    @Test
    void anAnswerThatCannotBeStoredCountsAsLostAndFailedNotCompleted() {
        double completed = metric("chat_turns_total", "outcome=\"completed\"");
        double failed = metric("chat_turns_total", "outcome=\"failed\"");
        double lost = metric("chat_answers_lost_total");
        String m = marker();
        Response r = as(newUser()).header("Prefer", "respond-async")
                .body(Map.of("message", "store me " + m + " [[stub:first-token-delay=1500]]")).post("/api/chat");
        r.then().statusCode(202);
        String sid = r.path("session_id");
        try {
            // the user message is stored and the model is called: session-service goes away before the answer
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> stubRequests(m).path("count").asLong() > 0);
            FakeSessionService.down = true;
            JsonNode failedEvent = awaitEvent(sid, "message.failed");
            assertEquals("storage_unavailable", failedEvent.path("error").path("code").asText());
        } finally {
            FakeSessionService.down = false;
        }
        assertTrue(eventsOfType(sid, "message.completed").isEmpty());
        assertFalse(FakeSessionService.messages(sid).stream().anyMatch(msg -> "assistant".equals(msg.path("role").asText())
                && !msg.path("finish_reason").isNull()), "no finished answer stored");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> metric("chat_turns_total", "outcome=\"failed\"") == failed + 1);
        assertEquals(completed, metric("chat_turns_total", "outcome=\"completed\""));
        assertEquals(lost + 1, metric("chat_answers_lost_total"), "counted as lost");
        assertNull(redis.value(String.class).get("chat:lock:{" + sid + "}"), "the session is free again");
    }
}
