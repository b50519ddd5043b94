package io.chatplatform.session;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static io.chatplatform.session.Api.beginTurn;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Api.exchange;
import static io.chatplatform.session.Api.turn;
import static io.chatplatform.session.Tokens.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The message tree: regenerate (a new version of an answer), edit and resend (a new version of a user message),
 * the branch shown switched with {@code PUT /api/sessions/{id}/branch}; history, export and the turn's context
 * follow the branch shown, search covers every branch.
 */
@QuarkusTest
class BranchesTest {

    private static final String PROBLEM = "application/problem+json";

    @Test
    void regenerateMakesASecondVersionOfTheAnswerAndTheSwitchMovesBetweenThem() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, null);
        exchange(me, sid, "Name a colour", "Teal.");
        String question = history(me, sid).path("items[0].id");

        String again = UUID.randomUUID().toString();
        Response r = beginTurn(me, sid, regenerate("r-1", question, again));
        r.then().statusCode(201).body("answer_id", equalTo(again))
                .body("user_message.id", equalTo(question))
                .body("context", org.hamcrest.Matchers.empty());
        answer(sid, again, r.path("write_grant"), "Crimson.");
        history(me, sid).then().body("items.content", contains("Name a colour", "Crimson."))
                .body("items.version", contains(1, 2)).body("items.versions", contains(1, 2));

        // a replay of the regenerate: the same answer, nothing new stored
        beginTurn(me, sid, regenerate("r-1", question, UUID.randomUUID().toString())).then().statusCode(200)
                .body("answer_id", equalTo(again)).body("answer.content", equalTo("Crimson."));
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(3));

        show(me, sid, again, 1).then().statusCode(204);
        history(me, sid).then().body("items.content", contains("Name a colour", "Teal."))
                .body("items[1].version", equalTo(1)).body("items[1].versions", equalTo(2));
        show(me, sid, again, 2).then().statusCode(204);
        history(me, sid).then().body("items.content", contains("Name a colour", "Crimson."));
        // the next turn follows the version shown, and so does its context
        beginTurn(me, sid, turn("next", "Why?", UUID.randomUUID().toString(), 1000)).then().statusCode(201)
                .body("context.content", contains("Name a colour", "Crimson."));
        // search covers the branch not shown
        as(me).queryParam("q", "teal").get("/api/search").then().statusCode(200)
                .body("items.snippet", hasItem("<mark>Teal</mark>"));
    }

    @Test
    void editAndResendBranchesAndTheContextLeavesTheOldBranchOut() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, null);
        exchange(me, sid, "Plan a trip to Porto", "Day one: Ribeira.");
        exchange(me, sid, "Make it three days", "Day two and three: Gaia, Foz.");
        String second = history(me, sid).path("items[2].id");

        String answerId = UUID.randomUUID().toString();
        Response r = beginTurn(me, sid, edit("e-1", second, "Make it a day trip to Braga instead", answerId));
        r.then().statusCode(201).body("user_message.version", equalTo(2)).body("user_message.versions", equalTo(2))
                .body("user_message.parent_id", equalTo(history(me, sid).path("items[1].id")))
                .body("context.content", contains("Plan a trip to Porto", "Day one: Ribeira."));
        answer(sid, answerId, r.path("write_grant"), "Braga: Bom Jesus.");
        history(me, sid).then().body("items.content", contains("Plan a trip to Porto", "Day one: Ribeira.",
                "Make it a day trip to Braga instead", "Braga: Bom Jesus."));
        String md = as(me).queryParam("format", "md").get("/api/sessions/" + sid + "/export").then().statusCode(200)
                .extract().asString();
        assertEquals(false, md.contains("Gaia"), md);

        // back to the first version: its answer comes back with it (the newest leaf below it)
        show(me, sid, second, 1).then().statusCode(204);
        history(me, sid).then().body("items.content", contains("Plan a trip to Porto", "Day one: Ribeira.",
                "Make it three days", "Day two and three: Gaia, Foz."))
                .body("items[2].versions", equalTo(2));
        beginTurn(me, sid, turn("t-3", "And the fourth?", UUID.randomUUID().toString(), 1000)).then()
                .statusCode(201).body("context.content", not(hasItem("Braga: Bom Jesus.")))
                .body("context.content", hasItems("Day two and three: Gaia, Foz."));
    }

    @Test
    void badVersionTurnsAndSwitchesAre4xxAndChangeNothing() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, null);
        exchange(me, sid, "One", "Uno.");
        String question = history(me, sid).path("items[0].id");
        String answer = history(me, sid).path("items[1].id");
        String other = createSession(me, null);
        exchange(me, other, "Elsewhere", "Ailleurs.");
        String foreign = history(me, other).path("items[0].id");

        beginTurn(me, sid, regenerate("x1", answer, UUID.randomUUID().toString())).then().statusCode(400)
                .contentType(PROBLEM).body("violations.field", contains("regenerate_of"));
        beginTurn(me, sid, regenerate("x2", foreign, UUID.randomUUID().toString())).then().statusCode(400);
        beginTurn(me, sid, edit("x3", question, " ", UUID.randomUUID().toString())).then().statusCode(400)
                .body("violations.field", contains("content"));
        Map<String, Object> both = edit("x4", question, "Two", UUID.randomUUID().toString());
        both.put("regenerate_of", question);
        beginTurn(me, sid, both).then().statusCode(400).contentType(PROBLEM);
        beginTurn(me, sid, with(turn("x5", "q", UUID.randomUUID().toString(), 100), "parent_id", question))
                .then().statusCode(409).contentType(PROBLEM); // not the end of the branch shown

        show(me, sid, answer, 2).then().statusCode(400).contentType(PROBLEM).body("violations.field", contains("version"));
        show(me, sid, answer, 0).then().statusCode(400);
        show(me, sid, UUID.randomUUID().toString(), 1).then().statusCode(404).contentType(PROBLEM);
        show(me, sid, foreign, 1).then().statusCode(404);
        show(UUID.randomUUID(), sid, answer, 1).then().statusCode(404);
        as(me).body("{\"message_id\":").put("/api/sessions/" + sid + "/branch").then().statusCode(400)
                .contentType(PROBLEM);

        // a version off the branch shown cannot be edited, regenerated or switched
        String again = UUID.randomUUID().toString();
        String grant = beginTurn(me, sid, edit("x6", question, "Two", again)).then().statusCode(201)
                .extract().path("write_grant");
        answer(sid, again, grant, "Dos.");
        beginTurn(me, sid, regenerate("x7", question, UUID.randomUUID().toString())).then().statusCode(409);
        show(me, sid, answer, 1).then().statusCode(409); // its question's version 1 is not shown: nor is it
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(4));
        history(me, sid).then().body("items.content", contains("Two", "Dos."));
    }

    private static Response history(UUID user, String sid) {
        return as(user).get("/api/sessions/" + sid + "/messages");
    }

    private static Response show(UUID user, String sid, String messageId, int version) {
        return as(user).body(Map.of("message_id", messageId, "version", version)).put("/api/sessions/" + sid + "/branch");
    }

    private static Map<String, Object> regenerate(String cmid, String userMessage, String answerId) {
        Map<String, Object> body = turn(cmid, null, answerId, 1000);
        body.remove("content");
        body.put("regenerate_of", userMessage);
        return body;
    }

    private static Map<String, Object> edit(String cmid, String userMessage, String content, String answerId) {
        return with(turn(cmid, content, answerId, 1000), "edit_of", userMessage);
    }

    private static Map<String, Object> with(Map<String, Object> body, String field, Object value) {
        Map<String, Object> copy = new HashMap<>(body);
        copy.put(field, value);
        return copy;
    }

    private static void answer(String sid, String answerId, String grant, String content) {
        given().header("Authorization", "Grant " + grant).contentType("application/json")
                .body(Map.of("content", content, "finish_reason", "stop"))
                .put("/api/sessions/" + sid + "/answers/" + answerId).then().statusCode(200);
    }
}
