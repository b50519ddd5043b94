package io.chatplatform.session;

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
}
