package io.chatplatform.session;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Tokens.as;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

@QuarkusTest
class BadInputTest {

    private static final String PROBLEM = "application/problem+json";

    @Test
    void malformedAndUnknownFieldsAreRejectedAndChangeNothing() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "original");
        append(me, sid, "user", "first");
        String msgs = "/api/sessions/" + sid + "/messages";

        as(me).body("{\"role\":\"user\",\"content\":").post(msgs).then().statusCode(400).contentType(PROBLEM)
                .body("status", equalTo(400));
        as(me).body("{\"role\":\"user\",\"content\":\"x\",\"sneaky\":1}").post(msgs).then().statusCode(400)
                .contentType(PROBLEM).body("detail", containsString("sneaky"));
        as(me).body(Map.of("role", "robot", "content", "x")).post(msgs).then().statusCode(400).contentType(PROBLEM)
                .body("violations.field", hasItem("role"));
        as(me).body(Map.of("role", "user")).post(msgs).then().statusCode(400).body("violations.field", hasItem("content"));
        as(me).body(Map.of("role", "user", "content", "x", "metadata", "not-an-object")).post(msgs).then().statusCode(400);
        as(me).body(Map.of("role", "user", "content", 5, "client_message_id", "")).post(msgs).then().statusCode(400);
        as(me).post(msgs).then().statusCode(400).contentType(PROBLEM);

        as(me).body("{\"title\":").patch("/api/sessions/" + sid).then().statusCode(400).contentType(PROBLEM);
        as(me).body(Map.of("title", "")).patch("/api/sessions/" + sid).then().statusCode(400).body("violations.field", hasItem("title"));
        as(me).body(Map.of("title", "   ")).patch("/api/sessions/" + sid).then().statusCode(400);
        as(me).body(Map.of("title", "x".repeat(201))).patch("/api/sessions/" + sid).then().statusCode(400);
        as(me).body(Map.of("title", "ok", "owner", "me")).patch("/api/sessions/" + sid).then().statusCode(400);
        as(me).body(Map.of("title", "x".repeat(201))).post("/api/sessions").then().statusCode(400);
        as(me).body("{\"title\":\"t\",\"user_id\":\"" + UUID.randomUUID() + "\"}").post("/api/sessions").then().statusCode(400);
        as(me).body("{\"title\":").post("/api/sessions").then().statusCode(400).contentType(PROBLEM)
                .body("status", equalTo(400));
        as(me).body("not json at all").post("/api/sessions").then().statusCode(400).contentType(PROBLEM);

        as(me).get("/api/sessions/" + sid).then().body("title", equalTo("original")).body("message_count", equalTo(1));
        as(me).get(msgs).then().body("items.content", contains("first"));
        as(me).get("/api/sessions").then().body("items", hasSize(1));
    }

    @Test
    void titlesOfUpTo200CharactersAreAccepted() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "short");
        String longest = "é".repeat(100) + "x".repeat(100); // 200 characters (300 UTF-8 bytes)
        as(me).body(Map.of("title", longest)).patch("/api/sessions/" + sid).then().statusCode(200)
                .body("title", equalTo(longest));
        as(me).body(Map.of("title", longest + "x")).patch("/api/sessions/" + sid).then().statusCode(400);
        as(me).get("/api/sessions/" + sid).then().body("title", equalTo(longest));
        as(me).body(Map.of("title", longest)).post("/api/sessions").then().statusCode(201).body("title", equalTo(longest));
    }

    @Test
    void oversizeContentIs413AndNothingIsStored() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, null);
        String msgs = "/api/sessions/" + sid + "/messages";
        // 32 KiB of ASCII is fine, one multi-byte character more is not (the limit is in UTF-8 bytes)
        as(me).body(Map.of("role", "user", "content", "a".repeat(32 * 1024))).post(msgs).then().statusCode(201);
        as(me).body(Map.of("role", "user", "content", "a".repeat(32 * 1024 - 1) + "é")).post(msgs).then()
                .statusCode(413).contentType(PROBLEM).body("status", equalTo(413));
        // bodies beyond the body limit (1 MiB here: a turn's answer may be 256 KiB) are refused before they are read
        as(me).body(Map.of("role", "user", "content", "b".repeat(300_000))).post(msgs).then().statusCode(413);
        as(me).body(Map.of("role", "user", "content", "b".repeat(1_100_000))).post(msgs).then().statusCode(413)
                .contentType(PROBLEM).body("detail", containsString("request body"));
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(1));
    }

    @Test
    void invalidIdsLimitsAndCursors() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "s");
        // a path id that is not a (canonical) UUID is a 400 naming the parameter, on every route
        as(me).get("/api/sessions/not-a-uuid").then().statusCode(400).contentType(PROBLEM)
                .body("status", equalTo(400)).body("detail", containsString("'id'"))
                .body("violations.field", contains("id"));
        as(me).get("/api/sessions/not-a-uuid/messages").then().statusCode(400).contentType(PROBLEM)
                .body("violations.field", contains("id"));
        as(me).body(Map.of("role", "user", "content", "x")).post("/api/sessions/123/messages").then()
                .statusCode(400).contentType(PROBLEM).body("violations.field", contains("id"));
        as(me).body(Map.of("title", "renamed")).patch("/api/sessions/1-1-1-1-1").then().statusCode(400)
                .contentType(PROBLEM).body("violations.field", contains("id"));
        as(me).get("/api/sessions/" + sid + "x/export").then().statusCode(400).contentType(PROBLEM);
        as(me).delete("/api/sessions/" + sid.substring(1)).then().statusCode(400).contentType(PROBLEM)
                .body("violations.field", contains("id"));
        // well-formed ids stay 404: unknown, and someone else's (indistinguishable from unknown)
        String unknown = UUID.randomUUID().toString();
        as(me).get("/api/sessions/" + unknown).then().statusCode(404).contentType(PROBLEM);
        as(me).delete("/api/sessions/" + unknown).then().statusCode(404);
        as(UUID.randomUUID()).get("/api/sessions/" + sid).then().statusCode(404).contentType(PROBLEM);
        as(UUID.randomUUID()).delete("/api/sessions/" + sid).then().statusCode(404);
        // upper case is the same UUID, not a malformed one
        as(me).get("/api/sessions/" + sid.toUpperCase(java.util.Locale.ROOT)).then().statusCode(200);

        for (String limit : new String[]{"0", "-1", "abc", "1e3", "99999999999"}) {
            as(me).queryParam("limit", limit).get("/api/sessions").then().statusCode(400).contentType(PROBLEM)
                    .body("detail", containsString("limit"));
            as(me).queryParam("limit", limit).get("/api/sessions/" + sid + "/messages").then().statusCode(400);
            as(me).queryParam("q", "x").queryParam("limit", limit).get("/api/search").then().statusCode(400);
        }
        // caps: 100 for the session list and search, 200 for a history page
        as(me).queryParam("limit", 101).get("/api/sessions").then().statusCode(400).contentType(PROBLEM);
        as(me).queryParam("q", "x").queryParam("limit", 101).get("/api/search").then().statusCode(400);
        as(me).queryParam("limit", 201).get("/api/sessions/" + sid + "/messages").then().statusCode(400);
        as(me).queryParam("limit", 100).get("/api/sessions").then().statusCode(200);
        as(me).queryParam("q", "x").queryParam("limit", 100).get("/api/search").then().statusCode(200);
        as(me).queryParam("limit", 200).get("/api/sessions/" + sid + "/messages").then().statusCode(200);
        as(me).queryParam("after_seq", "-1").get("/api/sessions/" + sid + "/messages").then().statusCode(400);
        as(me).queryParam("after_seq", "x").get("/api/sessions/" + sid + "/messages").then().statusCode(400);
        as(me).queryParam("cursor", "!!garbage!!").get("/api/sessions").then().statusCode(400).contentType(PROBLEM);
        as(me).queryParam("cursor", java.util.Base64.getUrlEncoder().encodeToString("12:nope".getBytes()))
                .get("/api/sessions").then().statusCode(400);
        as(me).get("/api/search").then().statusCode(400);
        as(me).queryParam("q", " ").get("/api/search").then().statusCode(400);
        as(me).queryParam("q", "q".repeat(257)).get("/api/search").then().statusCode(400);
        as(me).get("/api/sessions/" + sid).then().statusCode(200).body("title", equalTo("s")).body("message_count", equalTo(0));
    }
}
