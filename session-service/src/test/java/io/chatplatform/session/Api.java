package io.chatplatform.session;

import io.restassured.response.Response;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static io.chatplatform.session.Tokens.as;

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
