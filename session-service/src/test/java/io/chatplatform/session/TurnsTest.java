package io.chatplatform.session;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.beginTurn;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Api.exchange;
import static io.chatplatform.session.Api.turn;
import static io.chatplatform.session.Tokens.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code POST /api/sessions/{id}/turns}: chat-service begins a turn in one call. */
@QuarkusTest
class TurnsTest {

    private static final String PROBLEM = "application/problem+json";

    /** 36 characters: ceil(36 / 4) + 4 = 13 estimated tokens each. */
    private static String thirteenTokens(int i) {
        return String.format("message %02d ", i) + "x".repeat(25);
    }

    @Test
    void aTurnStoresTheUserMessageAndReturnsTheContextTailWithinTheBudget() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, null);
        exchange(me, sid, thirteenTokens(1), thirteenTokens(2));
        exchange(me, sid, thirteenTokens(3), thirteenTokens(4));
        append(me, sid, "user", thirteenTokens(5));
        String fifth = as(me).queryParam("after_seq", 4).get("/api/sessions/" + sid + "/messages").path("items[0].id");
        String answerId = UUID.randomUUID().toString();

        // 39 tokens would take three messages: a budget of 38 cuts the history after two
        Response r = beginTurn(me, sid, turn("c-1", "And now?", answerId, 38));
        r.then().statusCode(201).contentType("application/json")
                .body("answer_id", equalTo(answerId))
                .body("write_grant", not(emptyOrNullString()))
                .body("answer", nullValue())
                .body("user_message.seq", equalTo(6))
                .body("user_message.role", equalTo("user"))
                .body("user_message.content", equalTo("And now?"))
                .body("user_message.client_message_id", equalTo("c-1"))
                .body("user_message.session_id", equalTo(sid))
                .body("user_message.parent_id", equalTo(fifth))
                .body("context.seq", contains(4, 5))
                .body("context.content", contains(thirteenTokens(4), thirteenTokens(5)));

        // the user message is the same JSON the history serves (plus the session's title), and it is in the history
        Map<String, Object> stored = new java.util.HashMap<>(as(me).queryParam("after_seq", 5)
                .get("/api/sessions/" + sid + "/messages").path("items[0]"));
        stored.put("session_title", as(me).get("/api/sessions/" + sid).path("title"));
        assertEquals(stored, r.path("user_message"));
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(6));

        // budgets at the edges: exactly two messages, one token short of two, all of them, less than one
        assertEquals(List.of(5, 6), beginTurn(me, sid, turn("c-2", "q", UUID.randomUUID().toString(), 26 + 4))
                .then().statusCode(201).extract().path("context.seq"));
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(7));
        beginTurn(me, sid, turn("c-3", "q", UUID.randomUUID().toString(), 5 + 5 - 1)).then().statusCode(201)
                .body("context.seq", contains(7));
        beginTurn(me, sid, turn("c-4", "q", UUID.randomUUID().toString(), 1_000_000)).then().statusCode(201)
                .body("context.seq", equalTo(java.util.stream.IntStream.rangeClosed(1, 8).boxed().toList()));
        beginTurn(me, sid, turn("c-5", "q", UUID.randomUUID().toString(), 4)).then().statusCode(201)
                .body("context", empty());
    }

    @Test
    void theFirstTurnOfASessionTitlesItAndHasNoContext() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, null);
        beginTurn(me, sid, turn("first", "Plan a weekend in Porto", UUID.randomUUID().toString(), 1000))
                .then().statusCode(201)
                .body("context", empty())
                .body("user_message.seq", equalTo(1))
                .body("user_message.parent_id", nullValue())
                // what chat-service announces as session.updated
                .body("user_message.session_title", equalTo("Plan a weekend in Porto"));
        as(me).get("/api/sessions/" + sid).then().body("title", equalTo("Plan a weekend in Porto"));
    }

    @Test
    void aReplayAnswers200WithTheFirstCallsAnswerIdGrantAndStoredAnswer() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "replay");
        append(me, sid, "user", "earlier question");
        String answerId = UUID.randomUUID().toString();
        Response first = beginTurn(me, sid, turn("retry-1", "the question", answerId, 1000));
        first.then().statusCode(201);
        String grant = first.path("write_grant");
        given().header("Authorization", "Grant " + grant).contentType("application/json")
                .body(Map.of("content", "half an answer"))
                .put("/api/sessions/" + sid + "/answers/" + answerId).then().statusCode(200);

        Response replay = beginTurn(me, sid, turn("retry-1", "the question, sent again", UUID.randomUUID().toString(), 1000));
        replay.then().statusCode(200)
                .body("user_message.id", equalTo(first.<String>path("user_message.id")))
                .body("user_message.content", equalTo("the question"))
                .body("answer_id", equalTo(answerId))
                .body("write_grant", equalTo(grant))
                .body("answer.id", equalTo(answerId))
                .body("answer.content", equalTo("half an answer"))
                .body("answer.role", equalTo("assistant"))
                .body("context.content", contains("earlier question"));
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(3));

        // a replay before any answer was written: the answer is null
        String other = UUID.randomUUID().toString();
        Response second = beginTurn(me, sid, turn("retry-2", "another", other, 1000));
        second.then().statusCode(201);
        beginTurn(me, sid, turn("retry-2", "another", other, 1000)).then().statusCode(200)
                .body("answer_id", equalTo(other)).body("answer", nullValue())
                .body("write_grant", equalTo(second.<String>path("write_grant")));
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(4));
    }

    @Test
    void foreignAndUnknownSessionsAre404AndMalformedIds400() {
        UUID owner = UUID.randomUUID();
        String sid = createSession(owner, "mine");
        Map<String, Object> body = turn("c", "hello", UUID.randomUUID().toString(), 100);
        beginTurn(UUID.randomUUID(), sid, body).then().statusCode(404).contentType(PROBLEM);
        beginTurn(owner, UUID.randomUUID().toString(), body).then().statusCode(404).contentType(PROBLEM);
        beginTurn(owner, "not-a-uuid", body).then().statusCode(400).contentType(PROBLEM)
                .body("violations.field", contains("id"));
        given().contentType("application/json").body(body).post("/api/sessions/" + sid + "/turns").then()
                .statusCode(401).contentType(PROBLEM);
        as(owner).get("/api/sessions/" + sid).then().body("message_count", equalTo(0));
    }

    @Test
    void badBodiesAre400Or413AndChangeNothing() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "strict");
        append(me, sid, "user", "kept");
        String otherSession = createSession(me, "elsewhere");
        append(me, otherSession, "user", "not a parent here");
        String foreignParent = as(me).get("/api/sessions/" + otherSession + "/messages").path("items[0].id");
        String aid = UUID.randomUUID().toString();

        for (String field : List.of("client_message_id", "content", "answer_id", "context_budget_tokens")) {
            Map<String, Object> body = new HashMap<>(turn("c", "q", aid, 100));
            body.remove(field);
            beginTurn(me, sid, body).then().statusCode(400).contentType(PROBLEM).body("violations.field", hasItem(field));
        }
        beginTurn(me, sid, with("content", "   ")).then().statusCode(400).body("violations.field", hasItem("content"));
        beginTurn(me, sid, with("client_message_id", "")).then().statusCode(400);
        beginTurn(me, sid, with("client_message_id", "x".repeat(101))).then().statusCode(400)
                .body("violations.field", hasItem("client_message_id"));
        beginTurn(me, sid, with("context_budget_tokens", 0)).then().statusCode(400);
        beginTurn(me, sid, with("context_budget_tokens", 1_000_001)).then().statusCode(400);
        beginTurn(me, sid, with("answer_id", "not-a-uuid")).then().statusCode(400).contentType(PROBLEM);
        beginTurn(me, sid, with("parent_id", "nope")).then().statusCode(400).contentType(PROBLEM);
        beginTurn(me, sid, with("parent_id", foreignParent)).then().statusCode(400)
                .body("violations.field", contains("parent_id"));
        beginTurn(me, sid, with("sneaky", true)).then().statusCode(400).contentType(PROBLEM);
        as(me).body("{\"client_message_id\":").post("/api/sessions/" + sid + "/turns").then().statusCode(400)
                .contentType(PROBLEM);
        as(me).post("/api/sessions/" + sid + "/turns").then().statusCode(400).contentType(PROBLEM);
        // the user-message limit (32 KiB of UTF-8)
        beginTurn(me, sid, with("content", "a".repeat(32 * 1024 - 1) + "é")).then().statusCode(413)
                .contentType(PROBLEM);

        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(1)).body("title", equalTo("strict"));
        as(me).get("/api/sessions/" + sid + "/messages").then().body("items.content", contains("kept"));
        // the answer id is still free: nothing reserved it
        beginTurn(me, sid, turn("c", "q", aid, 100)).then().statusCode(201).body("user_message.seq", equalTo(2));
    }

    @Test
    void anAnswerIdBelongsToOneTurn() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "ids");
        String aid = UUID.randomUUID().toString();
        beginTurn(me, sid, turn("one", "q1", aid, 100)).then().statusCode(201);
        beginTurn(me, sid, turn("two", "q2", aid, 100)).then().statusCode(409).contentType(PROBLEM);
        String elsewhere = createSession(me, "other");
        beginTurn(me, elsewhere, turn("one", "q1", aid, 100)).then().statusCode(409);
        as(me).get("/api/sessions/" + sid + "/messages").then().body("items", hasSize(1));
        as(me).get("/api/sessions/" + elsewhere).then().body("message_count", equalTo(0));
    }

    /** A turn body with one field changed (or added). */
    private static Map<String, Object> with(String field, Object value) {
        Map<String, Object> body = new HashMap<>(turn("c", "q", UUID.randomUUID().toString(), 100));
        body.put(field, value);
        return body;
    }
}
