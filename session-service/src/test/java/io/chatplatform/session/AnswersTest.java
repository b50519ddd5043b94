package io.chatplatform.session;

import io.chatplatform.session.turn.WriteGrants;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.beginTurn;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Api.turn;
import static io.chatplatform.session.Tokens.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code PUT /api/sessions/{id}/answers/{answer_id}} with the turn's write grant. */
@QuarkusTest
class AnswersTest {

    private static final String PROBLEM = "application/problem+json";

    @Inject
    WriteGrants grants;

    /** A begun turn: the session, its user message, the answer id and the grant. */
    record Turn(UUID user, String session, String userMessage, int userSeq, String answerId, String grant) {
        String path() {
            return "/api/sessions/" + session + "/answers/" + answerId;
        }
    }

    private static Turn begin(UUID user, String session, String clientId) {
        String answerId = UUID.randomUUID().toString();
        Response r = beginTurn(user, session, turn(clientId, "tell me a story", answerId, 10_000));
        r.then().statusCode(201);
        return new Turn(user, session, r.path("user_message.id"), r.path("user_message.seq"), answerId,
                r.path("write_grant"));
    }

    private static RequestSpecification withGrant(String grant) {
        return given().header("Authorization", "Grant " + grant).contentType("application/json");
    }

    private static Map<String, Object> answer(String content, Object metadata, String finishReason) {
        Map<String, Object> body = new HashMap<>();
        body.put("content", content);
        body.put("metadata", metadata);
        body.put("finish_reason", finishReason);
        return body;
    }

    private static List<String> contents(UUID user, String session) {
        return as(user).get("/api/sessions/" + session + "/messages").then().statusCode(200).extract().path("items.content");
    }

    @Test
    void theFirstWriteCreatesTheAnswerLaterOnesGrowItUntilItFinishes() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "story");
        Turn t = begin(me, sid, "s-1");

        withGrant(t.grant()).body(answer("", null, null)).put(t.path()).then().statusCode(200)
                .contentType("application/json")
                .body("id", equalTo(t.answerId())).body("role", equalTo("assistant"))
                .body("seq", equalTo(t.userSeq() + 1)).body("parent_id", equalTo(t.userMessage()))
                .body("session_id", equalTo(sid)).body("content", equalTo("")).body("metadata", nullValue());
        withGrant(t.grant()).body(answer("Once upon", null, null)).put(t.path()).then().statusCode(200)
                .body("seq", equalTo(t.userSeq() + 1)).body("content", equalTo("Once upon"));
        assertEquals(List.of("tell me a story", "Once upon"), contents(me, sid));
        withGrant(t.grant()).body(answer("Once upon a time.", Map.of("model", "m-1",
                        "usage", Map.of("prompt_tokens", 12, "completion_tokens", 5)), "stop"))
                .put(t.path()).then().statusCode(200)
                .body("content", equalTo("Once upon a time.")).body("metadata.model", equalTo("m-1"));

        as(me).get("/api/sessions/" + sid + "/messages").then()
                .body("items.seq", contains(1, 2))
                .body("items[1].id", equalTo(t.answerId()))
                .body("items[1].parent_id", equalTo(t.userMessage()))
                .body("items[1].content", equalTo("Once upon a time."))
                .body("items[1].metadata.usage.completion_tokens", equalTo(5));
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(2));
    }

    @Test
    void aFinishedAnswerIsNeverUnfinished() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "final");
        Turn t = begin(me, sid, "f-1");
        withGrant(t.grant()).body(answer("All done.", Map.of("model", "m-1"), "stop")).put(t.path()).then().statusCode(200);
        // a late, still-growing write (a retry that lost the race) and a second finish change nothing
        withGrant(t.grant()).body(answer("All do", null, null)).put(t.path()).then().statusCode(200)
                .body("content", equalTo("All done.")).body("metadata.model", equalTo("m-1"));
        withGrant(t.grant()).body(answer("Something else", null, "error")).put(t.path()).then().statusCode(200)
                .body("content", equalTo("All done."));
        assertEquals(List.of("tell me a story", "All done."), contents(me, sid));
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(2));
    }

    @Test
    void aLongAnswerIsStoredWholeAndOneOverTheLimitIs413() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "long");
        Turn t = begin(me, sid, "l-1");
        // 40 KB: over the 32 KiB user-message limit, with multi-byte characters, quotes and newlines
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 40_000; i++) {
            sb.append("Line ").append(i).append(": \"déjà vu\" – ✓\n");
        }
        String story = sb.toString();
        withGrant(t.grant()).body(answer(story, Map.of("model", "m-1"), "length")).put(t.path()).then().statusCode(200);
        assertEquals(story, contents(me, sid).get(1));

        Turn u = begin(me, sid, "l-2");
        String tooLong = "a".repeat(256 * 1024 - 1) + "é"; // 256 KiB + 1 byte of UTF-8
        withGrant(u.grant()).body(answer(tooLong, null, null)).put(u.path()).then().statusCode(413).contentType(PROBLEM);
        withGrant(u.grant()).body(answer("a".repeat(256 * 1024), null, "stop")).put(u.path()).then().statusCode(200);
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(4));
    }

    @Test
    void theGrantAloneStoresTheAnswerWithoutAnyAccessToken() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "no token");
        Turn t = begin(me, sid, "g-1");
        // what chat-service holds once the user's 15-minute token has expired: only the grant
        String expiredToken = io.smallrye.jwt.build.Jwt.issuer("chat-platform").audience("chat-platform")
                .subject(me.toString()).groups("user").issuedAt(Instant.now().minusSeconds(3600))
                .expiresAt(Instant.now().minusSeconds(120)).jws().header("typ", "at+jwt").sign();
        given().auth().oauth2(expiredToken).get("/api/sessions/" + sid).then().statusCode(401);
        withGrant(t.grant()).body(answer("Stored anyway.", null, "stop")).put(t.path()).then().statusCode(200)
                .body("content", equalTo("Stored anyway."));
        assertEquals(List.of("tell me a story", "Stored anyway."), contents(me, sid));
    }

    @Test
    void missingForgedExpiredAndForeignGrantsAreRefused() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "guarded");
        Turn t = begin(me, sid, "x-1");
        Turn other = begin(me, createSession(me, "other"), "x-1");
        Map<String, Object> body = answer("intrusion", null, "stop");
        UUID session = UUID.fromString(sid);
        UUID answerId = UUID.fromString(t.answerId());

        given().contentType("application/json").body(body).put(t.path()).then().statusCode(401).contentType(PROBLEM)
                .header("WWW-Authenticate", "Grant");
        given().auth().oauth2(Tokens.accessToken(me)).contentType("application/json").body(body).put(t.path())
                .then().statusCode(401).contentType(PROBLEM);
        withGrant("garbage").body(body).put(t.path()).then().statusCode(401).contentType(PROBLEM);
        String[] parts = t.grant().split("\\.");
        String tampered = parts[0] + "." + (parts[1].charAt(0) == 'A' ? 'B' : 'A') + parts[1].substring(1);
        withGrant(tampered).body(body).put(t.path()).then().statusCode(401);
        byte[] otherKey = new byte[32];
        new SecureRandom().nextBytes(otherKey);
        String foreignKey = new WriteGrants(otherKey, Duration.ofMinutes(30))
                .issue(session, answerId, me, Instant.now().plusSeconds(600));
        withGrant(foreignKey).body(body).put(t.path()).then().statusCode(401);
        String expired = grants.issue(session, answerId, me, Instant.now().minusSeconds(1));
        withGrant(expired).body(body).put(t.path()).then().statusCode(401).body("detail", org.hamcrest.Matchers.containsString("expired"));
        // valid grants, but for another session's answer, or another answer of this session
        withGrant(other.grant()).body(body).put(t.path()).then().statusCode(403).contentType(PROBLEM);
        withGrant(t.grant()).body(body).put("/api/sessions/" + sid + "/answers/" + UUID.randomUUID()).then()
                .statusCode(403);

        assertEquals(List.of("tell me a story"), contents(me, sid));
        assertEquals(List.of("tell me a story"), contents(me, other.session()));
    }

    @Test
    void malformedIdsAndBadBodiesAre400AndChangeNothing() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "bodies");
        Turn t = begin(me, sid, "b-1");
        withGrant(t.grant()).body(answer("x", null, null)).put("/api/sessions/not-a-uuid/answers/" + t.answerId())
                .then().statusCode(400).contentType(PROBLEM).body("violations.field", contains("id"));
        withGrant(t.grant()).body(answer("x", null, null)).put("/api/sessions/" + sid + "/answers/1-1-1-1-1")
                .then().statusCode(400).body("violations.field", contains("answer_id"));
        withGrant(t.grant()).body(answer(null, null, null)).put(t.path()).then().statusCode(400)
                .body("violations.field", hasItem("content"));
        withGrant(t.grant()).body(answer("x", null, "done")).put(t.path()).then().statusCode(400)
                .body("violations.field", hasItem("finish_reason"));
        withGrant(t.grant()).body(answer("x", "not an object", null)).put(t.path()).then().statusCode(400);
        withGrant(t.grant()).body("{\"content\":\"x\",\"sneaky\":1}").put(t.path()).then().statusCode(400);
        withGrant(t.grant()).body("{\"content\":").put(t.path()).then().statusCode(400).contentType(PROBLEM);
        withGrant(t.grant()).put(t.path()).then().statusCode(400).contentType(PROBLEM);
        assertEquals(List.of("tell me a story"), contents(me, sid));
    }

    @Test
    void seqStaysGapFreeWithABrowserAppendBetweenTheTurnAndItsAnswer() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "interleaved");
        Turn t = begin(me, sid, "i-1");
        append(me, sid, "user", "typed while the answer streams");
        withGrant(t.grant()).body(answer("", null, null)).put(t.path()).then().statusCode(200).body("seq", equalTo(3))
                .body("parent_id", equalTo(t.userMessage()));
        append(me, sid, "user", "and again");
        withGrant(t.grant()).body(answer("The answer.", null, "stop")).put(t.path()).then().statusCode(200)
                .body("seq", equalTo(3));
        Turn next = begin(me, sid, "i-2");
        assertEquals(5, next.userSeq());
        as(me).get("/api/sessions/" + sid + "/messages").then()
                .body("items.seq", equalTo(IntStream.rangeClosed(1, 5).boxed().toList()))
                .body("items.content", contains("tell me a story", "typed while the answer streams", "The answer.",
                        "and again", "tell me a story"));
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(5));
    }

    @Test
    void anAnswerToADeletedSessionIs404() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "gone");
        Turn t = begin(me, sid, "d-1");
        withGrant(t.grant()).body(answer("first words", null, null)).put(t.path()).then().statusCode(200);
        as(me).delete("/api/sessions/" + sid).then().statusCode(204);
        withGrant(t.grant()).body(answer("first words and more", null, "stop")).put(t.path()).then()
                .statusCode(404).contentType(PROBLEM);
    }
}
