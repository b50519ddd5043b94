package io.chatplatform.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class ChatTurnTest extends ChatTestSupport {

    @Test
    void turnEndToEndWithHistoryAndStoredMetadata() {
        String user = newUser();
        Response first = chat(user, Map.of("message", "Hello there, first question"));
        first.then().statusCode(200)
                .body("session_id", notNullValue())
                .body("message_id", notNullValue())
                .body("model", equalTo("stub-model"))
                .body("response", containsString("You said: \"Hello there, first question\""))
                .body("usage.prompt_tokens", notNullValue())
                .header("RateLimit-Limit", "20");
        String sid = first.path("session_id");
        // session-service got the user message first, then the answer with its metadata
        List<JsonNode> stored = FakeSessionService.messages(sid);
        assertEquals(2, stored.size());
        assertEquals("user", stored.get(0).path("role").asText());
        assertEquals("assistant", stored.get(1).path("role").asText());
        assertEquals(first.path("response").toString(), stored.get(1).path("content").asText());
        JsonNode meta = stored.get(1).path("metadata");
        for (String key : List.of("model", "usage", "latency_ms", "ttft_ms", "tool_calls", "finish_reason", "cancelled", "truncated")) {
            assertTrue(meta.has(key), "metadata has " + key + ": " + meta);
        }
        assertEquals("stop", meta.path("finish_reason").asText());

        // second turn: the model sees system + previous user + previous answer + new user message
        Response second = chat(user, Map.of("session_id", sid, "message", "And a follow-up"));
        second.then().statusCode(200).body("session_id", equalTo(sid))
                .body("response", containsString("I received 4 messages"));
        assertEquals(4, FakeSessionService.messages(sid).size());
    }

    @Test
    void eventsAreStreamedInOrderAndDeltasConcatenateToTheStoredAnswer() {
        String user = newUser();
        Response r = chat(user, Map.of("message", "Stream please [[stub:tokens=60]] [[stub:token-delay=5]]"));
        r.then().statusCode(200);
        String sid = r.path("session_id");
        String mid = r.path("message_id");
        List<JsonNode> events = events(sid);
        List<String> types = events.stream().map(n -> n.path("type").asText()).toList();
        assertEquals("message.created", types.get(0));
        assertEquals("session.updated", types.get(1), "a new session announces the title session-service gave it");
        assertTrue(events.get(1).path("title").asText().startsWith("Stream please"));
        assertEquals("message.completed", types.get(types.size() - 1));
        assertTrue(types.stream().filter("message.delta"::equals).count() >= 2, "several coalesced deltas: " + types);
        JsonNode created = events.get(0);
        assertEquals("user", created.path("role").asText());
        assertEquals(1, created.path("seq").asInt());
        assertTrue(created.path("ts").isNumber());
        assertEquals(sid, created.path("session_id").asText());
        String concatenated = deltas(events, mid);
        JsonNode completed = events.get(events.size() - 1);
        assertEquals(concatenated, completed.path("content").asText());
        assertEquals(concatenated, storedAssistant(sid, mid).path("content").asText());
        assertEquals(concatenated, r.path("response"));
        assertEquals("stub-model", completed.path("model").asText());
        assertEquals(60, completed.path("usage").path("completion_tokens").asInt());
        // ids strictly increase in stream order; the stream expires after 24 h of silence
        for (int i = 1; i < events.size(); i++) {
            assertTrue(compareIds(events.get(i - 1).path("id").asText(), events.get(i).path("id").asText()) < 0);
        }
        long ttl = redis.key(String.class).ttl("chat:stream:{" + sid + "}");
        assertTrue(ttl > 23 * 3600 && ttl <= 24 * 3600, "ttl " + ttl);
    }

    @Test
    void asyncTurnAnswers202AndDeliversTheAnswerAsEvents() {
        String user = newUser();
        Response r = as(user).header("Prefer", "respond-async").body(Map.of("message", "async hello"))
                .post("/api/chat");
        r.then().statusCode(202).body("session_id", notNullValue()).body("message_id", notNullValue());
        String sid = r.path("session_id");
        JsonNode completed = awaitEvent(sid, "message.completed");
        assertEquals(r.path("message_id").toString(), completed.path("message_id").asText());
        assertTrue(completed.path("content").asText().contains("async hello"));
    }

    @Test
    void idempotentRetryReturnsTheFirstResultWithoutCallingTheModelAgain() {
        String user = newUser();
        String m = marker();
        Map<String, Object> body = Map.of("message", "idempotent please " + m, "client_message_id", "cm-" + user);
        Response first = chat(user, body);
        first.then().statusCode(200);
        Response again = chat(user, body);
        again.then().statusCode(200)
                .body("message_id", equalTo(first.path("message_id")))
                .body("response", equalTo(first.path("response")));
        assertEquals(1, stubRequests(m).path("count").asLong(), "the model was not called again");
        assertEquals(2, FakeSessionService.messages(first.path("session_id")).size(), "nothing stored twice");
    }

    @Test
    void secondConcurrentTurnInTheSameSessionGets409() {
        String user = newUser();
        String sid = chat(user, Map.of("message", "open a session")).then().statusCode(200).extract().path("session_id");
        Response slow = as(user).header("Prefer", "respond-async")
                .body(Map.of("session_id", sid, "message", "slow one [[stub:first-token-delay=1500]]")).post("/api/chat");
        slow.then().statusCode(202);
        chat(user, Map.of("session_id", sid, "message", "impatient")).then().statusCode(409)
                .contentType("application/problem+json");
        awaitEvent(sid, "message.completed");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> eventsOfType(sid, "message.completed").size() == 2);
        // lock released: the session takes a turn again
        chat(user, Map.of("session_id", sid, "message", "now it is my turn")).then().statusCode(200);
    }

    @Test
    void cancelStopsTheStreamAndStoresThePartialAnswerMarkedCancelled() {
        String user = newUser();
        Response r = as(user).header("Prefer", "respond-async")
                .body(Map.of("message", "long answer [[stub:tokens=400]] [[stub:token-delay=20]]")).post("/api/chat");
        r.then().statusCode(202);
        String sid = r.path("session_id");
        String mid = r.path("message_id");
        awaitEvent(sid, "message.delta");
        // someone else cannot cancel it
        as(newUser()).post("/api/chat/" + mid + "/cancel").then().statusCode(404);
        as(user).post("/api/chat/" + mid + "/cancel").then().statusCode(202);
        JsonNode completed = awaitEvent(sid, "message.completed");
        assertEquals("cancelled", completed.path("finish_reason").asText());
        assertTrue(completed.path("cancelled").asBoolean());
        String content = completed.path("content").asText();
        assertFalse(content.isEmpty());
        assertTrue(content.split(" ").length < 400, "partial answer");
        assertEquals(content, deltas(events(sid), mid));
        JsonNode stored = storedAssistant(sid, mid);
        assertEquals(content, stored.path("content").asText());
        assertTrue(stored.path("metadata").path("cancelled").asBoolean());
    }

    @Test
    void pathUserMustBeTheTokenSubject() {
        String user = newUser();
        as(user).body(Map.of("message", "hi")).post("/api/" + newUser() + "/chat").then().statusCode(403)
                .contentType("application/problem+json");
        as(user).body(Map.of("message", "hi via path")).post("/api/" + user + "/chat").then().statusCode(200)
                .body("response", containsString("hi via path"));
    }

    @Test
    void oversizeAndMalformedInputAreProblemsAndNothingIsStored() {
        String user = newUser();
        chat(user, Map.of("message", "x".repeat(8001))).then().statusCode(413).contentType("application/problem+json");
        as(user).body("{\"message\": ").post("/api/chat").then().statusCode(400).contentType("application/problem+json");
        as(user).body("{\"message\":\"hi\",\"unknown\":1}").post("/api/chat").then().statusCode(400);
        as(user).body("{}").post("/api/chat").then().statusCode(400);
        as(user).body("{\"message\":\"   \"}").post("/api/chat").then().statusCode(400);
        as(user).body("{\"message\":\"hi\",\"session_id\":\"not-a-uuid\"}").post("/api/chat").then().statusCode(400);
        assertEquals(0, FakeSessionService.sessionsOf(user), "nothing stored");
        RestAssured.given().contentType("application/json").body(Map.of("message", "hi")).post("/api/chat")
                .then().statusCode(401);
        // someone else's session is not found
        String other = FakeSessionService.seed(newUser(), "theirs", "private");
        chat(user, Map.of("session_id", other, "message", "hi")).then().statusCode(404);
        assertEquals(1, FakeSessionService.messages(other).size());
    }

    @Test
    void historyIsCutToTheTokenBudgetKeepingTheNewestMessages() {
        String user = newUser();
        // 30 old messages of one long word each, then 30 new ones of 133 short words each: all about 100 estimated
        // tokens, so about 28 fit the 3,000-token budget. The stand-in counts words (+1 per message) as prompt tokens,
        // which tells which ones were kept.
        String[] texts = new String[60];
        for (int i = 0; i < 30; i++) {
            texts[i] = "old" + i + "x".repeat(396);
        }
        for (int i = 30; i < 60; i++) {
            texts[i] = "new" + i + " " + "ab ".repeat(132).trim();
        }
        String sid = FakeSessionService.seed(user, "long session", texts);
        Response withHistory = chat(user, Map.of("session_id", sid, "message", "how many do you see?"));
        Response alone = chat(newUser(), Map.of("message", "how many do you see?"));
        String answer = withHistory.then().statusCode(200).extract().path("response");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("I received (\\d+) messages").matcher(answer);
        assertTrue(m.find(), answer);
        int kept = Integer.parseInt(m.group(1)) - 2; // minus the system prompt and the new message
        assertTrue(kept > 20 && kept < 30, "the budget cut the history: kept " + kept);
        int historyTokens = withHistory.<Integer>path("usage.prompt_tokens") - alone.<Integer>path("usage.prompt_tokens");
        assertEquals(kept * 134, historyTokens, "every kept message is one of the newest (an old one would count 2 tokens)");
    }

    @Test
    void tokensAreStreamedAsTheyComeNotAfterTheModelFinished() {
        String user = newUser();
        Response r = as(user).header("Prefer", "respond-async")
                .body(Map.of("message", "slowly please [[stub:tokens=40,token-delay=100]]")).post("/api/chat");
        r.then().statusCode(202);
        String sid = r.path("session_id");
        String mid = r.path("message_id");
        // the first delta is in the stream while the model still has ~4 s of tokens to send
        awaitEvent(sid, "message.delta");
        assertTrue(eventsOfType(sid, "message.completed").isEmpty(), "first delta before the completion");
        JsonNode completed = awaitEvent(sid, "message.completed");
        List<JsonNode> deltas = eventsOfType(sid, "message.delta");
        assertTrue(deltas.size() >= 2, "several deltas: " + deltas.size());
        assertTrue(compareIds(deltas.get(0).path("id").asText(), completed.path("id").asText()) < 0);
        JsonNode meta = storedAssistant(sid, mid).path("metadata");
        assertTrue(meta.path("ttft_ms").asLong() < meta.path("latency_ms").asLong(), meta.toString());
    }

    @Test
    void deltasAreCoalescedUnderAFastTokenRate() {
        String user = newUser();
        Response r = chat(user, Map.of("message", "fast please [[stub:tokens=200,token-delay=1]]"));
        r.then().statusCode(200);
        String sid = r.path("session_id");
        String mid = r.path("message_id");
        List<JsonNode> deltas = eventsOfType(sid, "message.delta");
        assertTrue(deltas.size() < 200, "fewer delta events than tokens: " + deltas.size());
        assertEquals(r.path("response").toString(), deltas(events(sid), mid));
        assertEquals(200, r.<Integer>path("usage.completion_tokens"));
    }

    @Test
    void messageTextIsNeverLoggedAboveDebug() {
        String marker = "logmarker" + java.util.UUID.randomUUID().toString().replace("-", "");
        List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(java.util.logging.Level.ALL);
        java.util.logging.Logger root = java.util.logging.LogManager.getLogManager().getLogger("");
        root.addHandler(capture);
        try {
            String user = newUser();
            chat(user, Map.of("message", "plain " + marker)).then().statusCode(200);
            chat(user, Map.of("message", "search my history for " + marker)).then().statusCode(200);
            chat(user, Map.of("message", "remember that " + marker)).then().statusCode(200);
            chat(user, Map.of("message", "broken " + marker + " [[stub:fault=500]]")).then().statusCode(502);
            chat(user, Map.of("message", "dropped " + marker + " [[stub:fault=drop]]")).then().statusCode(502);
            org.jboss.logging.Logger.getLogger("io.chatplatform.chat.probe").infof("probe %s", "p-" + marker);
        } finally {
            root.removeHandler(capture);
        }
        assertTrue(records.stream().anyMatch(r -> text(r).contains("probe p-" + marker)), "the handler sees INFO records");
        for (java.util.logging.LogRecord rec : records) {
            String text = text(rec);
            if (rec.getLevel().intValue() > java.util.logging.Level.FINE.intValue() && !text.contains("probe p-")) {
                assertFalse(text.contains(marker), "message text logged at " + rec.getLevel() + ": " + text);
            }
        }
    }

    /** Everything a log line could show: the formatted message, its parameters and the exception chain. */
    private static String text(java.util.logging.LogRecord r) {
        StringBuilder sb = new StringBuilder(r instanceof org.jboss.logmanager.ExtLogRecord e ? e.getFormattedMessage()
                : String.valueOf(r.getMessage()));
        if (r.getParameters() != null) {
            for (Object p : r.getParameters()) {
                sb.append(' ').append(p);
            }
        }
        for (Throwable t = r.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            sb.append(' ').append(t);
        }
        return sb.toString();
    }

    @Test
    void onlyAccessTokensAreAccepted() {
        String notAnAccessToken = io.smallrye.jwt.build.Jwt.issuer("chat-platform").audience("chat-platform")
                .subject(newUser()).groups("user").expiresIn(900).jws().keyId("test-key").header("typ", "JWT").sign();
        RestAssured.given().header("Authorization", "Bearer " + notAnAccessToken).contentType("application/json")
                .body(Map.of("message", "hi")).post("/api/chat").then().statusCode(401);
    }

    @Test
    void healthMetricsAndOpenApiAreServed() {
        RestAssured.get("/q/health/ready").then().statusCode(200).body(containsString("Redis connection health check"));
        RestAssured.get("/q/health/live").then().statusCode(200);
        RestAssured.get("/q/openapi").then().statusCode(200).body(containsString("/api/chat/{message_id}/cancel"));
    }

    private static int compareIds(String a, String b) {
        String[] x = a.split("-");
        String[] y = b.split("-");
        int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return c != 0 ? c : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    }
}
