package io.chatplatform.session;

import io.restassured.response.Response;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static io.chatplatform.session.Tokens.as;
import static io.restassured.RestAssured.given;

/** Small helpers the tests share. */
final class Api {

    private Api() {
    }

    static String createSession(UUID user, String title) {
        return as(user).body(title == null ? Map.of() : Map.of("title", title))
                .post("/api/sessions").then().statusCode(201).extract().path("id");
    }

    static int append(UUID user, String session, String role, String content) {
        return as(user).body(Map.of("role", role, "content", content))
                .post("/api/sessions/" + session + "/messages").then().statusCode(201).extract().path("seq");
    }

    /**
     * A user message and the model's answer to it, written as chat-service writes them: the turn
     * route, then the answer with the turn's write grant (browsers may append only user messages).
     * Returns the answer's seq.
     */
    static int exchange(UUID user, String session, String question, String answer) {
        return exchange(user, session, question, answer, null);
    }

    static int exchange(UUID user, String session, String question, String answer, Map<String, Object> metadata) {
        String answerId = UUID.randomUUID().toString();
        String grant = beginTurn(user, session, turn(UUID.randomUUID().toString(), question, answerId, 100_000))
                .then().statusCode(201).extract().path("write_grant");
        Map<String, Object> body = new HashMap<>();
        body.put("content", answer);
        body.put("metadata", metadata);
        body.put("finish_reason", "stop");
        return given().header("Authorization", "Grant " + grant).contentType("application/json").body(body)
                .put("/api/sessions/" + session + "/answers/" + answerId).then().statusCode(200).extract().path("seq");
    }

    /** A begin-turn body as chat-service sends it (no parent_id). */
    static Map<String, Object> turn(String clientMessageId, String content, String answerId, int budgetTokens) {
        Map<String, Object> body = new HashMap<>();
        body.put("client_message_id", clientMessageId);
        body.put("content", content);
        body.put("answer_id", answerId);
        body.put("context_budget_tokens", budgetTokens);
        return body;
    }

    static Response beginTurn(UUID user, String session, Map<String, Object> body) {
        return as(user).body(body).post("/api/sessions/" + session + "/turns");
    }
}
